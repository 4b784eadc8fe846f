import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the fake saw, with the status it answered (null while held or when the client went away). */
export interface SeenRequest {
  n: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** The query as sent (repeated parameters, e.g. Google's labelIds=A&labelIds=B). */
  params: URLSearchParams;
  body: any;
  headers: Record<string, string | string[] | undefined>;
  at: number;
  status: number | null;
}

export type Match = (r: SeenRequest) => boolean;

export interface Fault {
  when: Match;
  status: number;
  /** Sent as the Retry-After header. */
  retryAfter?: string;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  body?: unknown;
}

interface Hold {
  when: Match;
  reached: (r: SeenRequest) => void;
  release: Promise<void>;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A provider API on 127.0.0.1 (port 0) for tests: routes answer the provider's documented JSON
 * shapes; faults answer chosen requests with 429 (Retry-After) or 5xx instead; a hold keeps a
 * chosen request waiting (a process can be killed mid-request). Every request is logged.
 */
export abstract class FakeProvider {
  readonly requests: SeenRequest[] = [];
  private server?: Server;
  private faults: (Fault & { left: number })[] = [];
  private holds: Hold[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';
  /** Every answer waits this long (a slow provider). */
  latencyMs = 0;
  /** Requests being answered now and at most; fakes given the same object count together (concurrency tests). */
  inFlight: { now: number; max: number } = { now: 0, max: 0 };

  protected abstract route(r: SeenRequest): Answer;
  /** Checked before faults and routes (authentication). */
  protected abstract authorize(r: SeenRequest): Answer | null;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  fail(fault: Fault): this {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
    return this;
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** The next request matching `when` waits for `release()`; `reached` resolves when it arrives. */
  hold(when: Match): { reached: Promise<SeenRequest>; release: () => void } {
    let release!: () => void;
    let reached!: (r: SeenRequest) => void;
    const reachedP = new Promise<SeenRequest>((resolve) => (reached = resolve));
    const releaseP = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ when, reached, release: releaseP });
    return { reached: reachedP, release };
  }

  /** Requests from `index` on (slice of the log), e.g. those of a second run. */
  since(index: number): SeenRequest[] {
    return this.requests.slice(index);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://fake');
    const text = Buffer.concat(chunks).toString();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const r: SeenRequest = { n: this.requests.length + 1, method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams), params: u.searchParams, body, headers: req.headers, at: Date.now(), status: null };
    this.requests.push(r);
    this.inFlight.now++;
    this.inFlight.max = Math.max(this.inFlight.max, this.inFlight.now);
    try {
      await this.answer(r, req, res);
    } finally {
      this.inFlight.now--;
    }
  }

  private async answer(r: SeenRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const hold = this.holds.find((h) => h.when(r));
    if (hold) {
      this.holds = this.holds.filter((h) => h !== hold);
      hold.reached(r);
      await hold.release;
      if (res.destroyed || req.socket.destroyed) return;
    }
    const answer = this.authorize(r) ?? this.faultFor(r) ?? this.route(r);
    r.status = answer.status;
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  private faultFor(r: SeenRequest): Answer | null {
    const f = this.faults.find((x) => x.left > 0 && x.when(r));
    if (!f) return null;
    f.left--;
    return {
      status: f.status,
      body: f.body ?? (f.status === 429 ? { error: 'Too Many Requests' } : { error: 'Internal Server Error' }),
      headers: f.retryAfter !== undefined ? { 'retry-after': f.retryAfter } : undefined,
    };
  }
}
