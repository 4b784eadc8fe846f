import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { OrderPaymentSagaTestModule } from '@test/support/fixtures/order-payment.saga';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { QueryParamInfo, routeQueryTable, RouteQueryInfo } from '@test/support/query-params';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'bad-input-matrix-operator-token-0123456789';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const UUID = '0190b3c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f';

/**
 * Cursors no list gave out, whatever the list: not base64url, random bytes, JSON of every other
 * shape, and the shapes cursors have had (keysets of a timestamp and an id, offsets, log
 * positions) with impossible dates, ids that are not ids, wrong types and huge numbers.
 */
const FORGED_CURSORS: Record<string, string> = {
  'not base64url': '!!not*base64$$',
  'one character': 'A',
  'random bytes': Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 97 + 13) % 256)).toString('base64url'),
  'standard base64 with padding': Buffer.from('{"t":"1","p":12}').toString('base64'),
  'JSON null': b64('null'),
  'JSON number': b64('42'),
  'JSON string': b64('"x"'),
  'empty object': b64({}),
  'empty array': b64([]),
  'object of another shape': b64({ a: 1, b: [2] }),
  'array of nulls': b64([null, null]),
  'array of objects': b64([{}, []]),
  'log position, xid not a number': b64({ t: 'abc', p: 1 }),
  'log position, wrong types': b64({ t: 1, p: 'x' }),
  'log position, xid beyond xid8': b64({ t: '99999999999999999999999', p: 1 }),
  'log position, huge position': b64({ t: '1', p: 1e308 }),
  'log position, negative position': b64({ t: '1', p: -1 }),
  'keyset, 30 February': b64(['2024-02-30 10:00:00.123456+00', UUID]),
  'keyset, 30 February (ISO)': b64(['2024-02-30T10:00:00.000000Z', UUID]),
  'keyset, month 13': b64(['2024-13-01 00:00:00+00', UUID]),
  'keyset, hour 25': b64(['2024-02-29 25:00:00+00', UUID]),
  'keyset, year 99999': b64(['99999-01-01 00:00:00+00', UUID]),
  'keyset, id a number': b64(['2024-01-01 10:00:00+00', 5]),
  'keyset, id too long': b64(['2024-01-01 10:00:00+00', 'x'.repeat(400)]),
  'keyset, timestamp a number': b64([1e308, UUID]),
  'tagged keyset, 30 February': b64(['t', '2024-02-30T10:00:00.000000Z', UUID]),
  'tagged keyset, id not a uuid': b64(['t', '2024-01-01T10:00:00.000000Z', 'not-a-uuid']),
  'offset, huge': b64(['o', 1e300]),
  'offset, negative': b64(['o', -1]),
  'offset, a string': b64(['o', '5']),
  'offset, fractional': b64(['o', 1.5]),
  'too long': 'A'.repeat(5000),
};

/** Dates that do not exist, or are not ISO 8601 dates at all. */
const BAD_DATES = ['2024-02-30', '2024-13-01', '2024-02-30T10:00:00Z', '2023-02-29', '2024-04-31T00:00:00Z', '2024-02-28T25:00:00Z', '2024-02-28T23:60:00Z', '2024-02-28T10:00:00+25:00', '2024-W09', '20240230', '99999-01-01', '0000-01-01', 'yesterday', '2024-02-28T10:00:00 02:00'];
/** Real dates in the forms a client sends. */
const GOOD_DATES = ['2024-02-29', '2024-02-29T10:00:00Z', '2024-02-29T10:00:00.123+05:30'];
/** Integers no route takes. */
const BAD_INTEGERS = ['1e300', '99999999999999999999', '-99999999999999999999', '1.5', 'NaN', 'abc'];

const isCursor = (p: QueryParamInfo) => /cursor/i.test(p.name);
const isInteger = (p: QueryParamInfo) => p.constraints.includes('isInt');
const isDate = (p: QueryParamInfo) =>
  !isInteger(p) && (p.constraints.some((c) => /date|iso8601/i.test(c)) || /^(from|to|since|until|before|after)$|(At|Date)$/.test(p.name));

/**
 * Issue 11 item 11: no input on a list route is a 500. Every GET route is enumerated from the
 * router with the query parameters its DTO declares; each cursor gets every forged cursor, each
 * date filter every impossible date, each integer every huge or malformed number, and each must
 * answer 400 VALIDATION_FAILED problem+json naming the parameter. Real dates and genuine cursors
 * still work, and a genuine cursor altered in any one place is refused.
 */
describe('bad input on every list route: 400, never 500 (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let owner: SignedUp;
  let ws: string;
  let routes: RouteQueryInfo[];
  const pathValues: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const operator = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    // A saga (the test fixture's) so the saga-instances route is reached too.
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN }, extraModules: [OrderPaymentSagaTestModule] });
    app = testApp.app;
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
    const api = (path: string) => `/api/v1/workspaces/${ws}${path}`;
    // Two of everything a list pages through, so limit=1 gives a genuine next cursor.
    const messages = ['one', 'two', 'three'].map((w, i) => ({ externalId: `m-${i}`, content: `Message ${w} about billing`, sentAt: `2024-02-0${i + 1}T10:00:00Z` }));
    await http().post(api('/messages/import')).set(owner.auth).send({ source: { kind: 'api', name: 'Matrix' }, messages }).expect(202);
    const topics = [];
    for (const name of ['Billing', 'Onboarding']) topics.push((await http().post(api('/topics')).set(owner.auth).send({ name }).expect(201)).body.id);
    const atoms = [];
    for (const title of ['Retry fails', 'Export slow']) atoms.push((await http().post(api('/atoms')).set(owner.auth).send({ type: 'problem', title, content: title }).expect(201)).body.id);
    for (const question of ['What about billing?', 'And onboarding?']) await http().post(api('/ask')).set(owner.auth).send({ question }).expect(200);
    // Analysis AI agents: two agents, two executions of the first, two experiments (they stay pending: no jobs run here).
    const agents = [];
    for (const name of ['Helper', 'Watcher']) agents.push((await http().post(api('/analysis/agents')).set(owner.auth).send({ name, type: 'assistant', config: { model: 'builtin', prompt: 'p' } }).expect(201)).body.id);
    for (const text of ['one', 'two']) await http().post(api(`/analysis/agents/${agents[0]}/executions`)).set(owner.auth).send({ input: { text } }).expect(202);
    for (const text of ['one', 'two']) await http().post(api('/analysis/experiments')).set(owner.auth).send({ modelName: 'builtin', labelSet: { labels: [{ name: 'a' }, { name: 'b' }] }, messages: [{ text, expectedLabel: 'a' }] }).expect(202);
    const sagas = await http().get('/api/v1/admin/sagas').set(operator).expect(200);
    const jobs = await http().get('/api/v1/admin/scheduled-jobs').set(operator).expect(200);
    const events = await http().get(api('/audit/events')).set(owner.auth).expect(200);
    Object.assign(pathValues, {
      workspaceId: ws,
      topicId: topics[0],
      atomId: atoms[0],
      agentId: agents[0],
      streamId: events.body.items[0].streamId,
      'sagas:name': sagas.body.items[0].name,
      'scheduled-jobs:name': jobs.body.items[0].name,
    });
    routes = routeQueryTable(app).filter((r) => r.method === 'GET' && r.query.some((p) => isCursor(p) || isDate(p) || isInteger(p)));
  });
  afterAll(() => testApp?.close());

  const urlOf = (r: RouteQueryInfo) =>
    r.path.replace(/:(\w+)/g, (_, name: string) => {
      const scoped = Object.keys(pathValues).find((k) => k.includes(':') && r.path.includes(`/${k.split(':')[0]}/`) && k.endsWith(`:${name}`));
      const value = scoped ? pathValues[scoped] : pathValues[name];
      if (!value) throw new Error(`no value for :${name} of ${r.path}: add one to the matrix`);
      return value;
    });
  /** What a route needs besides the parameter under test (required parameters). */
  const baseline = (r: RouteQueryInfo): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const p of r.query) {
      if (p.constraints.includes('isOptional')) continue;
      out[p.name] = isInteger(p) ? '1' : 'billing';
    }
    return out;
  };
  const get = (r: RouteQueryInfo, query: Record<string, string>) =>
    http()
      .get(urlOf(r))
      .query({ ...baseline(r), ...query })
      .set(r.path.startsWith('/api/v1/admin') ? operator : owner.auth);

  /** Sends each value of each parameter; returns what did not answer 400 VALIDATION_FAILED naming it. */
  async function expectRefused(pick: (p: QueryParamInfo) => boolean, values: Record<string, string>): Promise<string[]> {
    const wrong: string[] = [];
    for (const r of routes) {
      for (const p of r.query.filter(pick)) {
        for (const [label, value] of Object.entries(values)) {
          const res = await get(r, { [p.name]: value });
          const named = Array.isArray(res.body?.errors) && res.body.errors.some((e: { field: string }) => e.field === p.name);
          if (res.status !== 400 || res.body?.code !== 'VALIDATION_FAILED' || !/problem\+json/.test(res.headers['content-type'] ?? '') || !named) {
            wrong.push(`${r.path} ${p.name}=${label} -> ${res.status} ${res.body?.code ?? ''} ${JSON.stringify(res.body?.errors ?? res.body?.detail ?? '')}`);
          }
        }
      }
    }
    return wrong;
  }

  it('finds the list routes of every module: cursors, date filters and integers', () => {
    const withCursor = routes.filter((r) => r.query.some(isCursor)).map((r) => r.path);
    const withDates = routes.filter((r) => r.query.some(isDate)).map((r) => r.path);
    expect(withCursor.length).toBeGreaterThanOrEqual(10);
    expect(withDates.length).toBeGreaterThanOrEqual(5);
    for (const part of ['/messages', '/audit/events', '/topics', '/atoms', '/conversations', '/evidence', '/sagas/', '/scheduled-jobs/', '/admin/events']) {
      expect(withCursor.concat(withDates).some((p) => p.includes(part))).toBe(true);
    }
  });

  it('answers 200 on every such route with only the required parameters (so the matrix reaches the handlers)', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const res = await get(r, {});
      if (res.status !== 200) wrong.push(`${r.path} -> ${res.status} ${res.body?.code}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 400 naming the cursor to every forged cursor', async () => {
    expect(await expectRefused(isCursor, FORGED_CURSORS)).toEqual([]);
  });

  it('answers 400 naming the field to every impossible or malformed date', async () => {
    expect(await expectRefused(isDate, Object.fromEntries(BAD_DATES.map((d) => [d, d])))).toEqual([]);
  });

  it('answers 400 naming the field to huge, fractional and malformed integers', async () => {
    expect(await expectRefused(isInteger, Object.fromEntries(BAD_INTEGERS.map((d) => [d, d])))).toEqual([]);
  });

  it('still answers 200 to real dates in every form a client sends', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      for (const p of r.query.filter(isDate)) {
        for (const value of GOOD_DATES) {
          const res = await get(r, { [p.name]: value });
          if (res.status !== 200) wrong.push(`${r.path} ${p.name}=${value} -> ${res.status} ${JSON.stringify(res.body?.errors ?? res.body?.detail)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('follows genuine next cursors (200), and refuses each one altered in any single place', async () => {
    const followed: string[] = [];
    const wrong: string[] = [];
    for (const r of routes.filter((x) => x.query.some(isCursor) && x.query.some((p) => p.name === 'limit'))) {
      const first = await get(r, { limit: '1' });
      expect(first.status).toBe(200);
      const cursor = first.body.nextCursor as string | null;
      if (!cursor) continue;
      const next = await get(r, { limit: '1', cursor });
      if (next.status !== 200) wrong.push(`${r.path} genuine cursor -> ${next.status}`);
      else followed.push(r.path);
      for (const [label, altered] of alterations(cursor)) {
        const res = await get(r, { limit: '1', cursor: altered });
        if (res.status !== 400 || res.body?.code !== 'VALIDATION_FAILED') wrong.push(`${r.path} cursor with ${label} -> ${res.status} ${res.body?.code}`);
      }
    }
    expect(wrong).toEqual([]);
    // The lists filled in beforeAll page for real (others may be empty here).
    for (const part of [`/workspaces/:workspaceId/messages`, '/workspaces/:workspaceId/audit/events', '/admin/events', '/workspaces/:workspaceId/topics', '/workspaces/:workspaceId/atoms', '/workspaces/:workspaceId/conversations']) {
      expect(followed).toContain(`/api/v1${part}`);
    }
  });
});

/** Every way to change one place of a genuine cursor (decoded as base64url JSON) into something no list gives out. */
function alterations(cursor: string): [string, string][] {
  const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  const out: [string, string][] = [];
  const visit = (value: unknown, replace: (v: unknown) => unknown, where: string) => {
    if (typeof value === 'string') {
      const variants: [string, unknown][] = [[`${where} a number`, 12345]];
      if (/^\d{4}-\d\d-\d\d/.test(value)) {
        variants.push([`${where} on 30 February`, `2024-02-30${value.slice(10)}`], [`${where} in month 13`, `2024-13-01${value.slice(10)}`]);
      }
      if (/^[0-9a-f-]{36}$/i.test(value)) variants.push([`${where} not a uuid`, 'not-a-uuid']);
      if (/^\d+$/.test(value)) variants.push([`${where} not a number`, 'abc'], [`${where} huge`, '9'.repeat(30)]);
      for (const [label, v] of variants) out.push([label, b64(replace(v))]);
    } else if (typeof value === 'number') {
      for (const [label, v] of [['huge', 1e300], ['negative', -1], ['fractional', 1.5], ['a string', String(value)]] as const) out.push([`${where} ${label}`, b64(replace(v))]);
    } else if (Array.isArray(value)) {
      out.push([`${where} without its last part`, b64(replace(value.slice(0, -1)))], [`${where} with a part more`, b64(replace([...value, 'x']))]);
      value.forEach((item, i) => visit(item, (v) => replace(value.map((x, j) => (j === i ? v : x))), `${where}[${i}]`));
    } else if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      out.push([`${where} with a key more`, b64(replace({ ...obj, extra: 1 }))]);
      for (const key of Object.keys(obj)) {
        const { [key]: _drop, ...rest } = obj;
        out.push([`${where} without ${key}`, b64(replace(rest))]);
        visit(obj[key], (v) => replace({ ...obj, [key]: v }), `${where}.${key}`);
      }
    }
  };
  visit(decoded, (v) => v, 'cursor');
  return out;
}
