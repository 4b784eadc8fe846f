import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { EventPartitions } from '@libs/event-store/event-partitions';
import { ANY, NewEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'e2e-workspace-audit-token-0123456789';
const WS_A = uuidv7();
const WS_B = uuidv7();
const base = (ws: string) => `/api/v1/workspaces/${ws}/audit`;
const EVENTS = (ws: string) => `${base(ws)}/events`;
const EXPORT = (ws: string) => `${base(ws)}/events/export`;
const STREAM = (ws: string, id: string) => `${base(ws)}/streams/${encodeURIComponent(id)}`;
const CORRELATION = (ws: string, id: string) => `${base(ws)}/correlations/${encodeURIComponent(id)}`;

/** What the test appended, in append order (= log order: every append is its own transaction). */
interface Seeded {
  eventId: string;
  streamId: string;
  streamType: string;
  eventType: string;
  workspaceId: string;
  actorId: string;
  correlationId: string;
  causationId: string;
  recordedAt?: Date;
}

type Context = Pick<Seeded, 'workspaceId' | 'actorId' | 'correlationId' | 'causationId' | 'recordedAt'>;
type QueryString = Record<string, string | number>;

describe('workspace-scoped audit of the event log (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let store: PostgresEventStore;
  const seeded: Seeded[] = [];
  // The shared request: a1 (A) causes b1 (B) and a3 (A); b1 causes a2 (A).
  const shared = { a1: uuidv7(), b1: uuidv7(), a2: uuidv7(), a3: uuidv7() };

  const http = () => request(app.getHttpServer());
  const get = (path: string, query: QueryString = {}) => http().get(path).query(query).set('Authorization', `Bearer ${TOKEN}`);
  const ids = (items: { eventId: string }[]) => items.map((i) => i.eventId);
  const expectedIds = (keep: (s: Seeded) => boolean) => seeded.filter(keep).map((s) => s.eventId);
  const inA = (keep: (s: Seeded) => boolean = () => true) => expectedIds((s) => s.workspaceId === WS_A && keep(s));
  const withoutRequestData = (body: Record<string, unknown>) => {
    const { instance: _instance, requestId: _requestId, ...rest } = body;
    return rest;
  };

  async function append(streamId: string, streamType: string, events: (NewEvent & { eventId?: string })[], ctx: Context): Promise<string[]> {
    const withIds = events.map((e) => ({ ...e, eventId: e.eventId ?? uuidv7() }));
    await store.append(streamId, withIds, { streamType, expectedVersion: ANY, ...ctx });
    for (const e of withIds) seeded.push({ eventId: e.eventId, streamId, streamType, eventType: e.type, ...ctx });
    return withIds.map((e) => e.eventId);
  }

  /** The gap-safe horizon waits for every older transaction of the server: poll rather than assume. */
  async function visible(ws: string, query: QueryString, count: number): Promise<void> {
    await eventually(async () => {
      const res = await get(EVENTS(ws), { ...query, limit: 500 }).expect(200);
      expect(res.body.items).toHaveLength(count);
    });
  }

  /** Follows nextCursor to the end; `between` runs after each page that has a next one. */
  async function walk(ws: string, query: QueryString, limit: number, between?: (page: number) => Promise<void>) {
    const seen: string[] = [];
    const workspaces = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: QueryString = { ...query, limit };
      if (cursor) page.cursor = cursor;
      const res: request.Response = await get(EVENTS(ws), page).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...ids(res.body.items));
      res.body.items.forEach((i: any) => workspaces.add(i.workspaceId));
      cursor = res.body.nextCursor;
      pages++;
      if (cursor && between) await between(pages);
    } while (cursor);
    return { seen, pages, workspaces: [...workspaces] };
  }

  const ndjson = async (ws: string, query: QueryString = {}) => {
    const res = await get(EXPORT(ws), query)
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => (text += chunk));
        r.on('end', () => cb(null, text));
      })
      .expect(200)
      .expect('content-type', /^application\/x-ndjson/);
    const body = res.body as string;
    expect(body === '' || body.endsWith('\n')).toBe(true);
    return body.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  };

  beforeAll(async () => {
    // The workspace policy takes the token from the validated configuration (not process.env).
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN, RUN_JOBS: 'true' } });
    app = testApp.app;
    store = app.get(PostgresEventStore);
    for (const month of ['2025-01-15', '2025-02-15', '2025-03-15']) {
      await app.get(EventPartitions).ensureAhead(0, new Date(`${month}T00:00:00Z`));
    }

    // Workspaces A and B interleaved, with the same stream types, event types and actors in both,
    // so that every filter would also match the other workspace's events without the path's scope.
    const ctxA = (extra: Partial<Context> = {}): Context => ({ workspaceId: WS_A, actorId: 'alice', correlationId: 'req-a', causationId: 'cmd-a', ...extra });
    const ctxB = (extra: Partial<Context> = {}): Context => ({ workspaceId: WS_B, actorId: 'alice', correlationId: 'req-b', causationId: 'cmd-b', ...extra });
    await append('ledger-a', 'ledger', [{ type: 'ledger.opened', data: { owner: 'a' } }], ctxA({ actorId: 'system', recordedAt: new Date('2025-01-10T00:00:00Z') }));
    await append('ledger-b', 'ledger', [{ type: 'ledger.opened', data: { owner: 'b' } }], ctxB({ actorId: 'system', recordedAt: new Date('2025-01-11T00:00:00Z') }));
    await append('ledger-a', 'ledger', [{ type: 'ledger.credited', data: { amount: 5 } }], ctxA({ actorId: 'system', recordedAt: new Date('2025-02-01T00:00:00Z') }));
    await append('ledger-b', 'ledger', [{ type: 'ledger.credited', data: { amount: 7 } }], ctxB({ actorId: 'system', recordedAt: new Date('2025-02-02T00:00:00Z') }));
    await append('ledger-a', 'ledger', [{ type: 'ledger.debited', data: { amount: 2 } }], ctxA({ actorId: 'system', recordedAt: new Date('2025-03-01T00:00:00Z') }));
    await append('order-a1', 'order', [{ type: 'order.placed', data: { total: 1 } }, { type: 'order.shipped', data: {} }], ctxA());
    await append('order-b1', 'order', [{ type: 'order.placed', data: { total: 2 } }, { type: 'order.shipped', data: {} }], ctxB());
    await append('order-a2', 'order', [{ type: 'order.placed', data: { total: 3 } }], ctxA({ actorId: 'bob', correlationId: 'req-a2' }));
    await append('order-b2', 'order', [{ type: 'order.placed', data: { total: 4 } }], ctxB({ actorId: 'bob', correlationId: 'req-a2' }));
    // One request whose events span both workspaces and cause one another across them.
    await append('shared-a', 'order', [{ type: 'order.placed', eventId: shared.a1, data: {} }], ctxA({ correlationId: 'req-shared', causationId: 'cmd-shared' }));
    await append('shared-b', 'invoice', [{ type: 'invoice.created', eventId: shared.b1, data: {} }], ctxB({ actorId: 'saga', correlationId: 'req-shared', causationId: shared.a1 }));
    await append('shared-a', 'order', [{ type: 'order.invoiced', eventId: shared.a2, data: {} }], ctxA({ actorId: 'saga', correlationId: 'req-shared', causationId: shared.b1 }));
    await append('stock-a', 'stock', [{ type: 'stock.reserved', eventId: shared.a3, data: {} }], ctxA({ actorId: 'saga', correlationId: 'req-shared', causationId: shared.a1 }));
    await append('only-b', 'order', [{ type: 'order.placed', data: {} }], ctxB({ correlationId: 'req-only-b' }));
    // The event store lets a later append name another workspace than the stream's first one.
    await append('mixed-a', 'order', [{ type: 'order.placed', data: {} }], ctxA({ correlationId: 'req-mixed' }));
    await append('mixed-a', 'order', [{ type: 'order.noted', data: {} }], ctxB({ correlationId: 'req-mixed' }));
    await visible(WS_A, {}, inA().length);
    await visible(WS_B, {}, expectedIds((s) => s.workspaceId === WS_B).length);
  });

  afterAll(() => testApp?.close());

  describe('access', () => {
    const routes = (ws: string) => [EVENTS(ws), EXPORT(ws), STREAM(ws, 'ledger-a'), CORRELATION(ws, 'req-a')];

    it.each(routes(WS_A))('%s answers 401 problem+json without credentials', async (path) => {
      for (const authorization of [undefined, 'Basic YWRtaW46YWRtaW4=', 'Bearer ']) {
        const req = http().get(path);
        if (authorization !== undefined) req.set('Authorization', authorization);
        const res = await req.expect(401).expect('content-type', /problem\+json/).expect('www-authenticate', 'Bearer');
        expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      }
    });

    it.each(routes(WS_A))('%s answers 401 problem+json for invalid credentials (not a valid token or key)', async (path) => {
      for (const credentials of [
        { Authorization: `Bearer ${'x'.repeat(TOKEN.length)}` },
        { Authorization: 'Bearer short' },
        { Authorization: `Bearer ${TOKEN}x` },
        { 'X-API-Key': TOKEN },
      ]) {
        const res = await http().get(path).set(credentials).expect(401).expect('content-type', /problem\+json/);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      }
    });

    it.each(routes(WS_A))('%s answers 404 problem+json NOT_FOUND for a caller who may not read the workspace', async (path) => {
      // A real user who is not a member, and a real API key of another workspace.
      const stranger = await signUp(app);
      const own = await createWorkspace(app, stranger);
      const key = await http().post(`/api/v1/workspaces/${own}/api-keys`).set(stranger.auth).send({ name: 'k', role: 'viewer' }).expect(201);
      for (const credentials of [stranger.auth, { 'X-API-Key': key.body.key as string }]) {
        const res = await http().get(path).set(credentials).expect(404).expect('content-type', /problem\+json/);
        expect(withoutRequestData(res.body)).toEqual({
          type: 'urn:problem:not-found',
          title: 'Not Found',
          status: 404,
          code: 'NOT_FOUND',
          detail: `No workspace ${WS_A}`,
          workspaceId: WS_A,
        });
        expect(JSON.stringify(withoutRequestData(res.body))).not.toMatch(/ledger|order|alice/);
      }
    });

    it('answers an existing workspace exactly like one that does not exist, before looking at the query', async () => {
      const nowhere = uuidv7();
      const wrong = (await signUp(app)).auth;
      const existing = await http().get(EVENTS(WS_A)).query({ limit: 'bad' }).set(wrong).expect(404);
      const missing = await http().get(EVENTS(nowhere)).query({ limit: 'bad' }).set(wrong).expect(404);
      expect(withoutRequestData(existing.body)).toEqual({ ...withoutRequestData(missing.body), detail: `No workspace ${WS_A}`, workspaceId: WS_A });
      // The admin token reads any workspace, also one without events.
      expect((await get(EVENTS(nowhere)).expect(200)).body).toEqual({ items: [], nextCursor: null });
    });

    it('answers 400 problem+json when :workspaceId is not a UUID (401 first without credentials)', async () => {
      for (const ws of ['not-a-uuid', '123', `${WS_A}x`]) {
        for (const path of routes(ws)) {
          const res = await get(path).expect(400).expect('content-type', /problem\+json/);
          expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ field: 'workspaceId', message: 'workspaceId must be a UUID' }] });
          await http().get(path).expect(401);
        }
      }
    });

    it('accepts the UUID in upper case as the same workspace', async () => {
      const upper = await get(EVENTS(WS_A.toUpperCase()), { limit: 500 }).expect(200);
      expect(ids(upper.body.items)).toEqual(inA());
    });

    it('lists the routes in the OpenAPI document with a uuid path parameter and no workspaceId filter', async () => {
      const doc = await http().get('/api/docs-json').expect(200);
      const paths = {
        events: '/api/v1/workspaces/{workspaceId}/audit/events',
        export: '/api/v1/workspaces/{workspaceId}/audit/events/export',
        stream: '/api/v1/workspaces/{workspaceId}/audit/streams/{streamId}',
        correlation: '/api/v1/workspaces/{workspaceId}/audit/correlations/{correlationId}',
      };
      for (const path of Object.values(paths)) {
        const op = doc.body.paths[path]?.get;
        expect(op).toBeDefined();
        expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]));
        expect(op.tags).toEqual(['audit']);
        const ws = op.parameters.find((p: any) => p.name === 'workspaceId');
        expect(ws).toMatchObject({ in: 'path', required: true, schema: { format: 'uuid' } });
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
      }
      const query = (path: string) => doc.body.paths[path].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
      expect(query(paths.events).sort()).toEqual(['actorId', 'correlationId', 'cursor', 'eventType', 'from', 'limit', 'streamId', 'streamType', 'to']);
      expect(query(paths.export).sort()).toEqual(['actorId', 'correlationId', 'eventType', 'from', 'streamId', 'streamType', 'to']);
      expect(query(paths.stream)).toEqual(['atVersion']);
    });
  });

  describe('GET /api/v1/workspaces/:workspaceId/audit/events', () => {
    it("lists only the workspace's events, in log order, with the API.md fields", async () => {
      for (const ws of [WS_A, WS_B]) {
        const res = await get(EVENTS(ws), { limit: 500 }).expect(200);
        expect(ids(res.body.items)).toEqual(expectedIds((s) => s.workspaceId === ws));
        expect(res.body.items.every((i: any) => i.workspaceId === ws)).toBe(true);
        expect(res.body.nextCursor).toBeNull();
      }
      const [first] = (await get(EVENTS(WS_A), { limit: 1 }).expect(200)).body.items;
      expect(first).toMatchObject({
        globalPosition: expect.any(Number),
        eventId: seeded[0].eventId,
        streamId: 'ledger-a',
        streamVersion: 1,
        eventType: 'ledger.opened',
        actorId: 'system',
        correlationId: 'req-a',
        recordedAt: '2025-01-10T00:00:00.000Z',
        payload: { owner: 'a' },
      });
    });

    it('defaults to pages of 50 and goes up to 500', async () => {
      const bulk = Array.from({ length: 60 }, (_, i) => ({ type: 'bulk.item', data: { i } }));
      await append('bulk-b', 'bulk', bulk, { workspaceId: WS_B, actorId: 'loader', correlationId: 'bulk-b', causationId: 'cmd-bulk-b' });
      await append('bulk-a', 'bulk', bulk, { workspaceId: WS_A, actorId: 'loader', correlationId: 'bulk-a', causationId: 'cmd-bulk-a' });
      await visible(WS_A, {}, inA().length);
      const page = await get(EVENTS(WS_A)).expect(200);
      expect(ids(page.body.items)).toEqual(inA().slice(0, 50));
      expect(page.body.nextCursor).toEqual(expect.any(String));
      const all = await get(EVENTS(WS_A), { limit: 500 }).expect(200);
      expect(ids(all.body.items)).toEqual(inA());
    });

    it.each([
      ['streamId', 'ledger-a'],
      ['streamType', 'ledger'],
      ['eventType', 'order.placed'],
      ['actorId', 'bob'],
      ['correlationId', 'req-a2'],
      ['correlationId', 'req-shared'],
    ] as const)('filters by %s=%s within the workspace', async (field, value) => {
      const expected = inA((s) => s[field] === value);
      expect(expected.length).toBeGreaterThan(0);
      const res = await get(EVENTS(WS_A), { [field]: value, limit: 500 }).expect(200);
      expect(ids(res.body.items)).toEqual(expected);
      expect(res.body.items.every((i: any) => i[field] === value && i.workspaceId === WS_A)).toBe(true);
    });

    it("finds nothing by a filter that only matches the other workspace's events", async () => {
      const onlyB: QueryString[] = [{ streamId: 'ledger-b' }, { streamType: 'invoice' }, { eventType: 'invoice.created' }, { correlationId: 'req-only-b' }];
      for (const query of onlyB) {
        expect((await get(EVENTS(WS_A), query).expect(200)).body).toEqual({ items: [], nextCursor: null });
        expect((await get(EVENTS(WS_B), query).expect(200)).body.items.length).toBeGreaterThan(0);
      }
    });

    it('combines filters', async () => {
      const res = await get(EVENTS(WS_A), { eventType: 'order.placed', actorId: 'alice', streamType: 'order' }).expect(200);
      const expected = inA((s) => s.eventType === 'order.placed' && s.actorId === 'alice' && s.streamType === 'order');
      expect(expected).toHaveLength(3);
      expect(ids(res.body.items)).toEqual(expected);
    });

    it('filters by time: from inclusive, to exclusive', async () => {
      const feb = await get(EVENTS(WS_A), { from: '2025-02-01T00:00:00Z', to: '2025-03-01T00:00:00Z' }).expect(200);
      expect(feb.body.items.map((i: any) => [i.recordedAt, i.eventType])).toEqual([['2025-02-01T00:00:00.000Z', 'ledger.credited']]);
      const before = await get(EVENTS(WS_A), { to: '2025-02-01T00:00:00Z' }).expect(200);
      expect(before.body.items.map((i: any) => i.payload)).toEqual([{ owner: 'a' }]);
      const since = await get(EVENTS(WS_A), { from: '2025-03-01', limit: 500 }).expect(200);
      expect(ids(since.body.items)).toEqual(inA((s) => !s.recordedAt || s.recordedAt >= new Date('2025-03-01T00:00:00Z')));
    });

    it('pages through every event of the workspace exactly once, in order', async () => {
      const { seen, pages, workspaces } = await walk(WS_A, {}, 4);
      expect(seen).toEqual(inA());
      expect(pages).toBe(Math.ceil(seen.length / 4));
      expect(workspaces).toEqual([WS_A]);
      const filtered = await walk(WS_A, { streamType: 'order' }, 2);
      expect(filtered.seen).toEqual(inA((s) => s.streamType === 'order'));
    });

    it('pages without duplicates or gaps while events of both workspaces are appended between pages', async () => {
      const before = inA();
      const added: string[] = [];
      const walked = await walk(WS_A, {}, 3, async (page) => {
        if (page > 4) return;
        const ctx = { actorId: 'clock', correlationId: `live-${page}`, causationId: `cmd-live-${page}` };
        await append(`live-b-${page}`, 'live', [{ type: 'live.ticked', data: { page } }], { ...ctx, workspaceId: WS_B });
        const mine = await append(`live-a-${page}`, 'live', [{ type: 'live.ticked', data: { page } }, { type: 'live.tocked', data: { page } }], {
          ...ctx,
          workspaceId: WS_A,
        });
        added.push(...mine);
        await append(`live-b2-${page}`, 'live', [{ type: 'live.tocked', data: { page } }], { ...ctx, workspaceId: WS_B });
        await visible(WS_A, { streamId: `live-a-${page}` }, 2);
      });
      expect(added).toHaveLength(8);
      expect(walked.seen).toEqual([...before, ...added]);
      expect(walked.seen).toEqual(inA());
      expect(new Set(walked.seen).size).toBe(walked.seen.length);
      expect(walked.workspaces).toEqual([WS_A]);
    });

    it.each([
      ['cursor', { cursor: 'not a cursor' }],
      ['cursor', { cursor: Buffer.from('{"t":"x","p":1}').toString('base64url') }],
      ['cursor', { cursor: Buffer.from('not json').toString('base64url') }],
      ['limit', { limit: 0 }],
      ['limit', { limit: 501 }],
      ['limit', { limit: 'ten' }],
      ['limit', { limit: 2.5 }],
      ['from', { from: '2025-03-01T00:00:00Z', to: '2025-02-01T00:00:00Z' }],
      ['from', { from: 'yesterday' }],
      ['to', { to: '2025-13-01' }],
      ['workspaceId', { workspaceId: WS_B }],
      ['unknown', { unknown: 'x' }],
    ] as const)('answers 400 problem+json for a bad %s: %j', async (field, query) => {
      const res = await get(EVENTS(WS_A), query as QueryString).expect(400).expect('content-type', /problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.errors.map((e: any) => e.field)).toContain(field);
    });
  });

  describe('GET /api/v1/workspaces/:workspaceId/audit/events/export', () => {
    it("streams the workspace's events as NDJSON, the same records as the list", async () => {
      const lines = await ndjson(WS_A);
      expect(ids(lines)).toEqual(inA());
      expect(lines.every((l) => l.workspaceId === WS_A)).toBe(true);
      const list = await get(EVENTS(WS_A), { limit: 500 }).expect(200);
      expect(lines).toEqual(list.body.items);
      expect(ids(await ndjson(WS_B))).toEqual(expectedIds((s) => s.workspaceId === WS_B));
    });

    it('applies every filter within the workspace', async () => {
      expect(ids(await ndjson(WS_A, { streamId: 'ledger-a' }))).toEqual(inA((s) => s.streamId === 'ledger-a'));
      expect(ids(await ndjson(WS_A, { streamType: 'order', eventType: 'order.placed' }))).toEqual(
        inA((s) => s.streamType === 'order' && s.eventType === 'order.placed'),
      );
      expect(ids(await ndjson(WS_A, { actorId: 'bob' }))).toEqual(inA((s) => s.actorId === 'bob'));
      expect(ids(await ndjson(WS_A, { correlationId: 'req-shared' }))).toEqual([shared.a1, shared.a2, shared.a3]);
      expect((await ndjson(WS_A, { from: '2025-01-01', to: '2025-03-01' })).map((l) => l.payload)).toEqual([{ owner: 'a' }, { amount: 5 }]);
      expect(await ndjson(WS_A, { streamId: 'ledger-b' })).toEqual([]);
    });

    it('refuses paging parameters, a workspaceId filter and bad filters with 400 problem+json', async () => {
      const bad: [string, QueryString][] = [
        ['cursor', { cursor: 'abc' }],
        ['limit', { limit: 3 }],
        ['workspaceId', { workspaceId: WS_B }],
        ['from', { from: '2025-02-01', to: '2025-01-01' }],
        ['to', { to: 'soon' }],
      ];
      for (const [field, query] of bad) {
        const res = await get(EXPORT(WS_A), query).expect(400).expect('content-type', /problem\+json/);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.errors.map((e: any) => e.field)).toContain(field);
      }
    });
  });

  describe('GET /api/v1/workspaces/:workspaceId/audit/streams/:streamId', () => {
    it("shows a stream of the workspace with its head and events, and as it was at a version", async () => {
      const res = await get(STREAM(WS_A, 'ledger-a')).expect(200);
      expect(res.body).toMatchObject({
        streamId: 'ledger-a',
        streamType: 'ledger',
        workspaceId: WS_A,
        currentVersion: 3,
        createdAt: '2025-01-10T00:00:00.000Z',
        updatedAt: '2025-03-01T00:00:00.000Z',
      });
      expect(res.body.events.map((e: any) => [e.streamVersion, e.eventType])).toEqual([
        [1, 'ledger.opened'],
        [2, 'ledger.credited'],
        [3, 'ledger.debited'],
      ]);
      const at2 = await get(STREAM(WS_A, 'ledger-a'), { atVersion: 2 }).expect(200);
      expect(at2.body.currentVersion).toBe(3);
      expect(at2.body.events.map((e: any) => e.payload)).toEqual([{ owner: 'a' }, { amount: 5 }]);
    });

    it("answers another workspace's stream exactly like an unknown stream: 404 problem+json", async () => {
      const notFound = (streamId: string) => ({
        type: 'urn:problem:not-found',
        title: 'Not Found',
        status: 404,
        code: 'NOT_FOUND',
        detail: `No stream ${streamId}`,
        streamId,
      });
      for (const [ws, streamId] of [
        [WS_A, 'ledger-b'],
        [WS_A, 'shared-b'],
        [WS_A, 'no-such-stream'],
        [WS_B, 'ledger-a'],
        [WS_B, 'mixed-a'],
        [uuidv7(), 'ledger-a'],
      ]) {
        const res = await get(STREAM(ws, streamId)).expect(404).expect('content-type', /problem\+json/);
        expect(withoutRequestData(res.body)).toEqual(notFound(streamId));
      }
      for (const atVersion of [1, 99]) {
        const res = await get(STREAM(WS_A, 'ledger-b'), { atVersion }).expect(404);
        expect(withoutRequestData(res.body)).toEqual(notFound('ledger-b'));
      }
      // The same streams exist, as the other workspace (and the admin) sees them.
      expect((await get(STREAM(WS_B, 'ledger-b')).expect(200)).body.workspaceId).toBe(WS_B);
    });

    it("never shows another workspace's event appended to the workspace's stream", async () => {
      const res = await get(STREAM(WS_A, 'mixed-a')).expect(200);
      expect(res.body.currentVersion).toBe(2);
      expect(ids(res.body.events)).toEqual(inA((s) => s.streamId === 'mixed-a'));
      expect(res.body.events.map((e: any) => e.eventType)).toEqual(['order.placed']);
      // B sees its own event of that stream in its log, not the stream.
      const inB = await get(EVENTS(WS_B), { streamId: 'mixed-a' }).expect(200);
      expect(inB.body.items.map((e: any) => e.eventType)).toEqual(['order.noted']);
    });

    it('answers 400 problem+json for a bad atVersion', async () => {
      for (const atVersion of ['0', '-1', '1.5', 'two']) {
        const res = await get(STREAM(WS_A, 'ledger-a'), { atVersion }).expect(400).expect('content-type', /problem\+json/);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.errors.map((e: any) => e.field)).toContain('atVersion');
      }
    });
  });

  describe('GET /api/v1/workspaces/:workspaceId/audit/correlations/:correlationId', () => {
    const shape = (groups: any[]): any =>
      groups.map((g) => ({ causationId: g.causationId, events: g.events.map((e: any) => ({ eventId: e.eventId, caused: shape(e.caused) })) }));

    it("shows only the workspace's events of a request shared with another workspace, as a tree", async () => {
      const res = await get(CORRELATION(WS_A, 'req-shared')).expect(200);
      expect(res.body.correlationId).toBe('req-shared');
      expect(res.body.truncated).toBe(false);
      expect(ids(res.body.events)).toEqual([shared.a1, shared.a2, shared.a3]);
      expect(res.body.events.every((e: any) => e.workspaceId === WS_A)).toBe(true);
      // a2 was caused by B's b1, which is not shown: a2 hangs as a root under its causation id.
      expect(shape(res.body.tree)).toEqual([
        { causationId: 'cmd-shared', events: [{ eventId: shared.a1, caused: [{ causationId: shared.a1, events: [{ eventId: shared.a3, caused: [] }] }] }] },
        { causationId: shared.b1, events: [{ eventId: shared.a2, caused: [] }] },
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/invoice\.created|shared-b/);

      const b = await get(CORRELATION(WS_B, 'req-shared')).expect(200);
      expect(ids(b.body.events)).toEqual([shared.b1]);
      expect(shape(b.body.tree)).toEqual([{ causationId: shared.a1, events: [{ eventId: shared.b1, caused: [] }] }]);
    });

    it("answers a request of another workspace only exactly like an unknown one: 404 problem+json", async () => {
      const notFound = (correlationId: string) => ({
        type: 'urn:problem:not-found',
        title: 'Not Found',
        status: 404,
        code: 'NOT_FOUND',
        detail: `No events with correlation id ${correlationId}`,
        correlationId,
      });
      for (const [ws, correlationId] of [
        [WS_A, 'req-only-b'],
        [WS_A, 'no-such-request'],
        [WS_B, 'req-a'],
        [uuidv7(), 'req-shared'],
      ]) {
        const res = await get(CORRELATION(ws, correlationId)).expect(404).expect('content-type', /problem\+json/);
        expect(withoutRequestData(res.body)).toEqual(notFound(correlationId));
      }
      expect(ids((await get(CORRELATION(WS_B, 'req-only-b')).expect(200)).body.events)).toEqual(
        expectedIds((s) => s.correlationId === 'req-only-b'),
      );
    });
  });
});
