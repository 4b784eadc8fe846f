import { routeTable } from '@test/support/route-table';
import { createWorkspace, signUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * Every analysis route (enumerated from the router, so a new one is included) answers malformed
 * bodies and query values with a 4xx problem+json, never a 5xx: the bad-input matrix covers list
 * query values of every module; this covers the analysis write bodies too.
 */
describe('analysis routes: malformed bodies and queries are 4xx problem+json (e2e)', () => {
  let t: TestApp;
  afterAll(() => t?.close());
  // A sweep of every analysis route (several hundred requests): on the embedded database under CI load it outlasts the default minute.
  it('answers no malformed request on any analysis route with a 5xx or without problem+json', async () => {
    t = await createTestApp({ env: { RUN_JOBS: 'true' } });
    const owner = await signUp(t.app);
    const ws = await createWorkspace(t.app, owner);
    const b = `/api/v1/workspaces/${ws}/analysis`;
    const ids: Record<string, string> = {};
    ids.providerId = (await t.http().post(`${b}/providers`).set(owner.auth).send({ name: 'P', type: 'builtin' })).body.id;
    ids.agentId = (await t.http().post(`${b}/agents`).set(owner.auth).send({ name: 'A', type: 'assistant', config: { model: 'builtin', prompt: 'p' } })).body.id;
    ids.experimentId = (await t.http().post(`${b}/experiments`).set(owner.auth).send({ modelName: 'builtin', labelSet: { labels: [{ name: 'a' }, { name: 'b' }] }, messages: [{ text: 'x', expectedLabel: 'a' }] })).body.id;
    const routes = routeTable(t.app).filter((r) => r.path.includes('/analysis'));
    const bodies: unknown[] = [null, [], 'x', 1, { name: 1 }, { name: 'x'.repeat(100000) }, { a: { b: { c: [1, { d: null }] } } }, { name: 'n', type: 'openai-compatible', baseUrl: 'http://[::1', apiKey: 5 },
      { labelSet: { topics: 'yes' }, messages: 'm' }, { labelSet: { labels: [{ name: null }] }, messages: [{ messageId: 'not-uuid', expectedLabel: 'a' }], modelName: 'm' },
      { config: { model: 'builtin', prompt: 'p', events: 'x', schedule: 5 }, name: 'B', type: 'email' }, { input: { text: 5 } }, { input: null }, { monthlyLimitUsd: 1e30 }, { monthlyLimitUsd: null },
      { temperature: 'hot' }, { responseSchema: { type: 'nonsense' } }, { responseSchema: 'x' }, { agentId: 'x', taskId: 5 }, { keywords: 'x', glossary: [], priorityRules: { critical: 'x' } }, { isActive: 'yes' }];
    expect(routes.filter((r) => r.method !== 'GET').length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const r of routes) {
      const url = r.path.replace(':workspaceId', ws).replace(/:(\w+)/g, (_, n: string) => ids[n] ?? '00000000-0000-7000-8000-000000000000');
      const queries = [{}, { limit: 'x' }, { from: 'yesterday', to: '2026-13-40' }, { groupBy: 'day,bogus' }, { a: 'x', b: 'y' }, { cursor: 'zzz' }, { status: ['a', 'b'] }];
      for (const q of r.method === 'GET' ? queries : [{}]) {
        for (const body of r.method === 'GET' || r.method === 'DELETE' ? [undefined] : bodies) {
          const req = (t.http() as any)[r.method.toLowerCase()](url).query(q).set(owner.auth);
          const res = body === undefined ? await req : await req.set('content-type', 'application/json').send(JSON.stringify(body));
          if (res.status >= 500) wrong.push(`${r.method} ${r.path} ${JSON.stringify(q)} ${JSON.stringify(body)?.slice(0, 80)} -> ${res.status} ${res.body?.detail ?? ''}`);
          if (res.status >= 400 && !/problem\+json/.test(String(res.headers['content-type']))) wrong.push(`${r.method} ${r.path} -> ${res.status} not problem+json`);
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 240_000);
});
