import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp, uniqueSecret } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * A provider's API key is in no answer, no event, no log line and no validation error, even
 * when the provider echoes it back in its error (some OpenAI-compatible servers quote the key
 * they refused in full). The echoing server below refuses every call that way: the provider's
 * validation, an agent's execution and a classification experiment all fail through it.
 */
describe('analysis: a provider\'s API key stays secret when the provider echoes it (e2e)', () => {
  let t: TestApp;
  let echo: Server;
  let baseUrl: string;
  const lines: string[] = [];
  let owner: SignedUp;
  let ws: string;
  const apiKey = uniqueSecret('sk-echoed');
  const base = () => `/api/v1/workspaces/${ws}/analysis`;

  beforeAll(async () => {
    echo = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const presented = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${presented}. You can find your API key in your account.`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v1`;
    t = await createTestApp({ env: { RUN_JOBS: 'true', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', LLM_MAX_RETRIES: '0', LOG_LEVEL: 'debug' }, logLines: lines });
    owner = await signUp(t.app);
    ws = await createWorkspace(t.app, owner);
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => echo?.close(resolve));
  });

  it('the provider\'s validation, a failed execution and a failed experiment keep the refusal without the key; no event and no log line holds it', async () => {
    // A bad request carrying the key: the 400 does not quote it.
    const bad = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: '', type: 'openai-compatible', baseUrl, apiKey, extra: apiKey }).expect(400);
    expect(JSON.stringify(bad.body)).not.toContain(apiKey);

    const provider = (await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Echoing', type: 'openai-compatible', baseUrl, apiKey }).expect(201)).body;
    const validated = await eventually(async () => {
      const r = (await t.http().get(`${base()}/providers/${provider.id}`).set(owner.auth).expect(200)).body;
      expect(r.validationStatus).toBe('error');
      return r;
    }, 30_000, 100);
    expect(validated.validationError).toMatch(/401|Incorrect API key/);

    const agentId = (await t.http().post(`${base()}/agents`).set(owner.auth).send({ name: 'Echo agent', type: 'assistant', config: { providerId: provider.id, model: 'echo-model', prompt: 'p' } }).expect(201)).body.id;
    const executionId = (await t.http().post(`${base()}/agents/${agentId}/executions`).set(owner.auth).send({ input: { text: 'hello' } }).expect(202)).body.id;
    const execution = await eventually(async () => {
      const r = (await t.http().get(`${base()}/agents/${agentId}/executions/${executionId}`).set(owner.auth).expect(200)).body;
      expect(r.status).toBe('failed');
      return r;
    }, 30_000, 100);
    expect(execution.error).toMatch(/401|Incorrect API key/);

    const x = (await t.http().post(`${base()}/experiments`).set(owner.auth).send({ providerId: provider.id, modelName: 'echo-model', labelSet: { labels: [{ name: 'a' }, { name: 'b' }] }, messages: [{ text: 'one', expectedLabel: 'a' }] }).expect(202)).body;
    const experiment = await eventually(async () => {
      const r = (await t.http().get(`${base()}/experiments/${x.id}`).set(owner.auth).expect(200)).body;
      expect(r.status).toBe('failed');
      return r;
    }, 30_000, 100);
    expect(experiment.errorMessage).toMatch(/401|Incorrect API key/);

    const answers = [validated, execution, experiment, (await t.http().get(`${base()}/providers`).set(owner.auth).expect(200)).body];
    expect(answers.filter((a) => JSON.stringify(a).includes(apiKey))).toEqual([]);
    const events = await t.pool.query(`SELECT event_type FROM events WHERE workspace_id = $1 AND payload::text LIKE '%' || $2 || '%'`, [ws, apiKey]);
    expect(events.rows).toEqual([]);
    // The request log has the calls (so the check below can fail), none with the key. (The runners'
    // own warnings log the same message as the stored error, checked above.)
    expect(lines.some((l) => l.includes(`/analysis/agents/${agentId}/executions`))).toBe(true);
    expect(lines.filter((l) => l.includes(apiKey))).toEqual([]);
  });
});
