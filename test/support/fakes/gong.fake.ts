import { Answer, FakeProvider, SeenRequest } from './fake-provider';

export interface FakeGongParty {
  id: string;
  speakerId: string;
  name: string;
  emailAddress: string;
  userId?: string;
  affiliation: 'Internal' | 'External';
}

export interface FakeGongCall {
  id: string;
  title: string;
  started: string;
  duration: number;
  parties: FakeGongParty[];
  transcript: { speakerId: string; topic: string | null; sentences: { start: number; end: number; text: string }[] }[];
  /** Gong processes a call before its API shows it: hidden until then (ms epoch). */
  availableAt?: number;
}

/**
 * Gong's public API v2 as its reference describes it (help.gong.io/apidocs): Basic auth with
 * access key and secret; POST /v2/calls/extensive and POST /v2/calls/transcript take
 * `{ cursor?, filter: { fromDateTime, toDateTime, callIds } }` (dates on the call's start, from
 * inclusive, to exclusive) and answer `{ requestId, records: { totalRecords, currentPageSize,
 * currentPageNumber, cursor? }, calls | callTranscripts }`; no match is a 404 "No calls found
 * corresponding to the provided filters"; more than 3 calls in a second is a 429 with
 * Retry-After (counted in `rateViolations`).
 */
export class FakeGong extends FakeProvider {
  readonly calls: FakeGongCall[] = [];
  rateViolations = 0;
  private readonly recent: number[] = [];

  constructor(
    readonly accessKey: string,
    readonly secretKey: string,
    readonly pageSizes = { calls: 100, transcripts: 100 },
  ) {
    super();
  }

  /** A call of `monologues` speaker turns (3 sentences each) alternating rep and customer. */
  call(id: string, started: Date, monologues: number, extra: Partial<FakeGongCall> = {}): FakeGongCall {
    const parties: FakeGongParty[] = [
      { id: `p-${id}-1`, speakerId: `s-${id}-rep`, name: 'Rita Rep', emailAddress: 'rita@seller.example', userId: 'u-rita', affiliation: 'Internal' },
      { id: `p-${id}-2`, speakerId: `s-${id}-cust`, name: 'Carl Customer', emailAddress: 'carl@buyer.example', affiliation: 'External' },
    ];
    const transcript = Array.from({ length: monologues }, (_, i) => {
      const start = i * 30_000;
      return {
        speakerId: i % 2 === 0 ? parties[0].speakerId : parties[1].speakerId,
        topic: i < 2 ? 'Introduction' : 'Pricing',
        sentences: [0, 1, 2].map((k) => ({ start: start + k * 9_000, end: start + k * 9_000 + 8_000, text: `Call ${id} turn ${i} sentence ${k}.` })),
      };
    });
    const c: FakeGongCall = { id, title: `Discovery call ${id}`, started: started.toISOString(), duration: monologues * 30, parties, transcript, ...extra };
    this.calls.push(c);
    return c;
  }

  /** External ids a sync should store: `<callId>:<first sentence start ms>` per monologue. */
  storable(): string[] {
    return this.calls.flatMap((c) => c.transcript.map((m) => `${c.id}:${m.sentences[0].start}`));
  }

  requestsTo(path: '/v2/calls/extensive' | '/v2/calls/transcript', from = 0): SeenRequest[] {
    return this.since(from).filter((r) => r.path === path);
  }

  protected authorize(r: SeenRequest): Answer | null {
    const expected = `Basic ${Buffer.from(`${this.accessKey}:${this.secretKey}`).toString('base64')}`;
    if (r.headers.authorization !== expected) return { status: 401, body: { requestId: 'r-401', errors: ['Unauthorized'] } };
    // Gong's limit: 3 calls per second per company.
    const now = r.at;
    while (this.recent.length && now - this.recent[0] >= 1000) this.recent.shift();
    if (this.recent.length >= 3) {
      this.rateViolations++;
      return { status: 429, body: { requestId: 'r-429', errors: ['API rate limit exceeded'] }, headers: { 'retry-after': '1' } };
    }
    this.recent.push(now);
    return null;
  }

  protected route(r: SeenRequest): Answer {
    // GET /v2/workspaces: the cheap authenticated call a source proves its key with.
    if (r.method === 'GET' && r.path === '/v2/workspaces') return { status: 200, body: { requestId: `r-${r.n}`, workspaces: [{ id: 'w-1', name: 'Acme', description: 'Sales' }] } };
    if (r.method !== 'POST') return { status: 405, body: { errors: ['Method not allowed'] } };
    if (r.path === '/v2/calls/extensive') return this.page(r, this.pageSizes.calls, 'calls', (c) => ({ metaData: this.metaData(c), parties: r.body?.contentSelector?.exposedFields?.parties ? c.parties : undefined }));
    if (r.path === '/v2/calls/transcript') return this.page(r, this.pageSizes.transcripts, 'callTranscripts', (c) => ({ callId: c.id, transcript: c.transcript }));
    return { status: 404, body: { errors: ['Not found'] } };
  }

  private page(r: SeenRequest, size: number, key: string, render: (c: FakeGongCall) => unknown): Answer {
    const filter = r.body?.filter ?? {};
    const from = filter.fromDateTime ? Date.parse(filter.fromDateTime) : -Infinity;
    const to = filter.toDateTime ? Date.parse(filter.toDateTime) : Infinity;
    const ids: string[] | null = Array.isArray(filter.callIds) ? filter.callIds.map(String) : null;
    const matching = this.calls
      .filter((c) => (c.availableAt ?? 0) <= r.at && Date.parse(c.started) >= from && Date.parse(c.started) < to && (!ids || ids.includes(c.id)))
      .sort((a, b) => Date.parse(a.started) - Date.parse(b.started) || a.id.localeCompare(b.id));
    if (matching.length === 0) return { status: 404, body: { requestId: `r-${r.n}`, errors: ['No calls found corresponding to the provided filters'] } };
    const fingerprint = JSON.stringify({ from: filter.fromDateTime ?? null, to: filter.toDateTime ?? null, ids });
    let offset = 0;
    if (r.body?.cursor) {
      try {
        const c = JSON.parse(Buffer.from(String(r.body.cursor), 'base64url').toString());
        if (c.f !== fingerprint || typeof c.o !== 'number') throw new Error('other filter');
        offset = c.o;
      } catch {
        return { status: 400, body: { requestId: `r-${r.n}`, errors: ['cursor is not valid'] } };
      }
    }
    const slice = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? Buffer.from(JSON.stringify({ f: fingerprint, o: offset + size })).toString('base64url') : undefined;
    return {
      status: 200,
      body: {
        requestId: `r-${r.n}`,
        records: { totalRecords: matching.length, currentPageSize: slice.length, currentPageNumber: Math.floor(offset / size), ...(next ? { cursor: next } : {}) },
        [key]: slice.map(render),
      },
    };
  }

  private metaData(c: FakeGongCall) {
    return {
      id: c.id,
      url: `https://app.gong.io/call?id=${c.id}`,
      title: c.title,
      scheduled: c.started,
      started: c.started,
      duration: c.duration,
      primaryUserId: 'u-rita',
      direction: 'Conference',
      system: 'Zoom',
      scope: 'External',
      media: 'Video',
      language: 'eng',
      workspaceId: 'w-1',
    };
  }
}
