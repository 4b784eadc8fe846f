import { eventually } from '@test/support/eventually';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const ADMIN_TOKEN = 'admin-token-for-ai-agents-0123456789abcdef';

describe('analysis: AI agents and their executions (e2e)', () => {
  let t: TestApp;
  let fake: FakeOpenAiServer;
  let owner: SignedUp;
  let stranger: SignedUp;
  let ws: string;
  let otherWs: string;
  let viewer: { 'X-API-Key': string };
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  const agents = (workspace = ws) => `/api/v1/workspaces/${workspace}/analysis/agents`;

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    t = await createTestApp({ env: { RUN_JOBS: 'true', ADMIN_TOKEN, CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', LLM_MAX_RETRIES: '0' }, processEnv: { ADMIN_TOKEN } });
    owner = await signUp(t.app);
    stranger = await signUp(t.app);
    ws = await createWorkspace(t.app, owner);
    otherWs = await createWorkspace(t.app, stranger);
    viewer = { 'X-API-Key': (await t.http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'dashboard', role: 'viewer' }).expect(201)).body.key };
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const createAgent = async (body: Record<string, unknown>) => (await t.http().post(agents()).set(owner.auth).send(body).expect(201)).body;
  const run = async (agentId: string, input: Record<string, unknown>) => (await t.http().post(`${agents()}/${agentId}/executions`).set(owner.auth).send({ input }).expect(202)).body;
  const ended = (agentId: string, executionId: string) =>
    eventually(async () => {
      const r = await t.http().get(`${agents()}/${agentId}/executions/${executionId}`).set(owner.auth).expect(200);
      expect(['completed', 'failed']).toContain(r.body.status);
      return r.body;
    }, 30_000, 100);
  const openAiProvider = async (name: string) =>
    (await t.http().post(`/api/v1/workspaces/${ws}/analysis/providers`).set(owner.auth).send({ name, type: 'openai-compatible', baseUrl: fake.baseUrl }).expect(201)).body.id as string;

  let assistant: { id: string; streamVersion: number };

  it('creates an agent owned by its creator, with the built-in provider when none is named; ETag is its version', async () => {
    const res = await t.http().post(agents()).set(owner.auth).send({ name: 'Support memory', type: 'assistant', description: 'Remembers customer preferences', config: { model: 'builtin', prompt: 'You help the support team.' }, skills: ['remember', 'answer'] }).expect(201);
    expect(res.body).toEqual(
      expect.objectContaining({
        name: 'Support memory',
        type: 'assistant',
        description: 'Remembers customer preferences',
        skills: ['remember', 'answer'],
        memory: { entries: {} },
        isActive: true,
        ownerId: owner.userId,
        config: { providerId: expect.any(String), model: 'builtin', prompt: 'You help the support team.', parameters: {}, schedule: null, events: [] },
      }),
    );
    expect(res.headers.etag).toBe(`"${res.body.streamVersion}"`);
    assistant = res.body;
  });

  it('runs manually: the execution updates the memory, and a later one reads it to answer', async () => {
    const first = await run(assistant.id, { text: 'Acme asked us to contact them by email only.', remember: { 'acme.channel': 'Acme prefers email over phone calls' } });
    expect(first).toEqual(expect.objectContaining({ status: 'pending', triggerType: 'manual', triggerData: null, requestedBy: owner.userId }));
    const done = await ended(assistant.id, first.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.startedAt).toEqual(expect.any(String));
    expect(done.completedAt).toEqual(expect.any(String));
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    // Empty memory: the offline engine summarises the input.
    expect(done.output).toEqual(expect.objectContaining({ text: 'Acme asked us to contact them by email only.', provider: 'offline', memoryRead: [], memoryChanged: ['acme.channel'] }));
    const agent = (await t.http().get(`${agents()}/${assistant.id}`).set(owner.auth).expect(200)).body;
    expect(agent.memory.entries['acme.channel']).toEqual({ value: 'Acme prefers email over phone calls', updatedAt: expect.any(String), executionId: first.id });

    const second = await ended(assistant.id, (await run(assistant.id, { text: 'How does Acme prefer to be contacted?' })).id);
    expect(second.status).toBe('completed');
    expect(second.output.memoryRead).toEqual(['acme.channel']);
    expect(second.output.memoryCited).toEqual(['acme.channel']);
    expect(second.output.text).toContain('Acme prefers email over phone calls');
    expect(second.output.memoryChanged).toEqual([]);

    const third = await ended(assistant.id, (await run(assistant.id, { text: 'Forget it.', forget: ['acme.channel'], remember: { 'not a valid key!': 'x' } })).id);
    expect(third.output).toEqual(expect.objectContaining({ memoryChanged: ['acme.channel'], memoryRejected: ['not a valid key!'] }));
    expect((await t.http().get(`${agents()}/${assistant.id}`).set(owner.auth).expect(200)).body.memory).toEqual({ entries: {} });

    const list = await t.http().get(`${agents()}/${assistant.id}/executions`).query({ limit: 2 }).set(owner.auth).expect(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([third.id, second.id]);
    const rest = await t.http().get(`${agents()}/${assistant.id}/executions`).query({ cursor: list.body.nextCursor }).set(owner.auth).expect(200);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ id: first.id })], nextCursor: null });
    const usage = await eventually(async () => {
      const r = await t.pool.query(`SELECT count(*)::int AS n FROM llm_usage_logs WHERE workspace_id = $1 AND workflow_name = 'analysis.ai-agent' AND node_name = 'assistant'`, [ws]);
      expect(r.rows[0].n).toBe(3);
      return r.rows[0].n;
    });
    expect(usage).toBe(3);
  });

  it('an OpenAI-compatible agent reads its memory in the prompt and updates it from its JSON answer (unsafe keys rejected)', async () => {
    const providerId = await openAiProvider('Fake for agents');
    const agent = await createAgent({ name: 'Enricher', type: 'enrichment', config: { providerId, model: 'fake-model', prompt: 'Enrich accounts.', parameters: { temperature: 0.1, maxTokens: 300 } } });
    fake.replyWith(() => JSON.stringify({ answer: 'Acme is a logistics company.', remember: [{ key: 'acme.industry', value: 'logistics' }, { key: '../escape', value: 'x' }], forget: [] }));
    const from = fake.requests.length;
    const first = await ended(agent.id, (await run(agent.id, { text: 'Acme ships containers across Europe.' })).id);
    expect(first.output).toEqual(expect.objectContaining({ text: 'Acme is a logistics company.', model: 'fake-model', memoryChanged: ['acme.industry'], memoryRejected: ['../escape'] }));
    fake.replyWith(() => JSON.stringify({ answer: 'Still logistics.', remember: [], forget: [] }));
    await ended(agent.id, (await run(agent.id, { text: 'What does Acme do?' })).id);
    const chats = fake.since(from).filter((r) => r.path === '/v1/chat/completions');
    expect(chats).toHaveLength(2);
    expect(chats[0].body).toEqual(expect.objectContaining({ model: 'fake-model', temperature: 0.1, max_tokens: 300 }));
    expect(chats[0].body.response_format.json_schema.schema.required).toEqual(['answer', 'remember', 'forget']);
    expect(chats[0].body.messages[0].content).toContain('(empty)');
    expect(chats[1].body.messages[0].content).toContain('- acme.industry: logistics');
    fake.replyWith();
  });

  it('keeps the error of a failed execution', async () => {
    const providerId = await openAiProvider('Fake refusing');
    const agent = await createAgent({ name: 'Doomed', type: 'email', config: { providerId, model: 'fake-model', prompt: 'Draft emails.' } });
    fake.failNext(1, { status: 401 }, '/v1/chat/completions');
    const done = await ended(agent.id, (await run(agent.id, { text: 'Draft a follow-up.' })).id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/401/);
    expect(done.output).toBeNull();
    expect(done.completedAt).toEqual(expect.any(String));
  });

  it('an event-triggered agent runs on each matching event of its workspace, with the event as trigger_data', async () => {
    const agent = await createAgent({ name: 'Inbox watcher', type: 'assistant', config: { model: 'builtin', prompt: 'Summarise new messages.', events: ['ingestion.message-ingested'] } });
    // Another workspace's message does not trigger it.
    await t.http().post(`/api/v1/workspaces/${otherWs}/messages/import`).set(stranger.auth).send({ source: { kind: 'api', name: 'theirs' }, messages: [{ externalId: 'o-1', content: 'Not yours.', sentAt: '2026-12-01T09:00:00.000Z' }] }).expect(202);
    await t.http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send({ source: { kind: 'api', name: 'inbox' }, messages: [{ externalId: 'm-1', content: 'The export to CSV fails for files over 10 MB. Customers noticed on Monday.', sentAt: '2026-12-01T10:00:00.000Z', author: { name: 'Ana Erasable', email: 'ana.erasable@example.com' } }] }).expect(202);
    const execution = await eventually(async () => {
      const r = await t.http().get(`${agents()}/${agent.id}/executions`).set(owner.auth).expect(200);
      expect(r.body.items).toHaveLength(1);
      expect(r.body.items[0].status).toBe('completed');
      return r.body.items[0];
    }, 30_000, 100);
    expect(execution).toEqual(
      expect.objectContaining({
        triggerType: 'event',
        triggerData: expect.objectContaining({ eventType: 'ingestion.message-ingested', eventId: expect.any(String), streamId: expect.any(String) }),
        input: expect.objectContaining({ eventType: 'ingestion.message-ingested', text: 'The export to CSV fails for files over 10 MB. Customers noticed on Monday.' }),
        requestedBy: null,
      }),
    );
    expect(execution.output.text).toContain('CSV');
    // The message event carries personal data (its author, erasable): only its text is copied.
    expect(execution.input.data).toBeUndefined();
    expect(JSON.stringify(execution)).not.toMatch(/Erasable|ana\.erasable/);
    // An event without personal data lends its data too.
    const curator = await createAgent({ name: 'Topic curator', type: 'enrichment', config: { model: 'builtin', prompt: 'Describe new topics.', events: ['knowledge.topic-created'] } });
    const topic = (await t.http().post(`/api/v1/workspaces/${ws}/topics`).set(owner.auth).send({ name: 'Exports', description: 'CSV and PDF exports' }).expect(201)).body;
    const curated = await eventually(async () => {
      const r = await t.http().get(`${agents()}/${curator.id}/executions`).set(owner.auth).expect(200);
      expect(r.body.items.map((e: { status: string }) => e.status)).toEqual(['completed']);
      return r.body.items[0];
    }, 30_000, 100);
    expect(curated.input).toEqual({ eventType: 'knowledge.topic-created', data: expect.objectContaining({ topicId: topic.id, name: 'Exports', description: 'CSV and PDF exports' }) });
    await t.http().patch(`${agents()}/${curator.id}`).set(owner.auth).send({ isActive: false }).expect(200);
    // Deactivated, it runs no more.
    await t.http().patch(`${agents()}/${agent.id}`).set(owner.auth).send({ isActive: false }).expect(200);
    await t.http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send({ source: { kind: 'api', name: 'inbox' }, messages: [{ externalId: 'm-2', content: 'Another one.', sentAt: '2026-12-01T11:00:00.000Z' }] }).expect(202);
    await eventually(async () => {
      const r = await t.pool.query(`SELECT count(*)::int AS n FROM ingestion_messages_view WHERE workspace_id = $1`, [ws]);
      expect(r.rows[0].n).toBe(2);
    });
    // The consumer has passed the second message once its checkpoint is past the message's event.
    await eventually(async () => {
      const r = await t.pool.query(
        `SELECT (c.last_pos >= (SELECT max(global_position) FROM events WHERE event_type = 'ingestion.message-ingested')) AS passed FROM subscription_checkpoints c WHERE c.name = 'analysis.ai-agent-event-triggers'`,
      );
      expect(r.rows[0]?.passed).toBe(true);
    }, 20_000, 100);
    expect((await t.http().get(`${agents()}/${agent.id}/executions`).set(owner.auth).expect(200)).body.items).toHaveLength(1);
    // Manual runs of an inactive agent are refused.
    expect((await t.http().post(`${agents()}/${agent.id}/executions`).set(owner.auth).send({ input: { text: 'x' } }).expect(422)).body.code).toBe('ANALYSIS.AGENT_INACTIVE');
  });

  it('a scheduled agent is a scheduled job: listed with its cron, its run records a scheduled execution; deactivated, the job goes', async () => {
    const agent = await createAgent({ name: 'Morning digest', type: 'assistant', config: { model: 'builtin', prompt: 'Write the morning digest.', schedule: '0 7 * * 1-5' } });
    const name = `ai-agent.${agent.id}`;
    const jobs = await t.http().get('/api/v1/admin/scheduled-jobs').set(admin).expect(200);
    expect(jobs.body.items.find((j: { name: string }) => j.name === name)).toEqual(expect.objectContaining({ schedule: '0 7 * * 1-5', enabled: true }));
    const queued = await t.http().post(`/api/v1/admin/scheduled-jobs/${name}/run`).set(admin).send({}).expect(202);
    const runRow = await eventually(async () => {
      const r = await t.http().get(`/api/v1/admin/scheduled-jobs/${name}/runs`).set(admin).expect(200);
      const found = r.body.items.find((x: { jobId: string }) => x.jobId === queued.body.jobId);
      expect(found?.status).toBe('ok');
      return found;
    }, 30_000, 100);
    expect(runRow).toEqual(expect.objectContaining({ processed: 1, meta: expect.objectContaining({ trigger: 'manual', outcome: 'completed', executionId: expect.any(String) }) }));
    const executions = (await t.http().get(`${agents()}/${agent.id}/executions`).query({ trigger: 'scheduled' }).set(owner.auth).expect(200)).body.items;
    expect(executions).toEqual([
      expect.objectContaining({ id: runRow.meta.executionId, triggerType: 'scheduled', status: 'completed', triggerData: expect.objectContaining({ job: name, cron: '0 7 * * 1-5', trigger: 'manual' }) }),
    ]);
    expect(executions[0].output.text).toContain('Scheduled run of Morning digest');

    // Another cron re-registers the job; deactivating removes it.
    await t.http().patch(`${agents()}/${agent.id}`).set(owner.auth).send({ config: { model: 'builtin', prompt: 'Write the digest.', schedule: '30 6 * * *' } }).expect(200);
    const changed = await t.http().get('/api/v1/admin/scheduled-jobs').set(admin).expect(200);
    expect(changed.body.items.find((j: { name: string }) => j.name === name).schedule).toBe('30 6 * * *');
    await t.http().patch(`${agents()}/${agent.id}`).set(owner.auth).send({ isActive: false }).expect(200);
    const after = await t.http().get('/api/v1/admin/scheduled-jobs').set(admin).expect(200);
    expect(after.body.items.find((j: { name: string }) => j.name === name)).toBeUndefined();
    expect((await t.http().post(`/api/v1/admin/scheduled-jobs/${name}/run`).set(admin).send({}).expect(404)).body.code).toBe('JOBS.UNKNOWN_JOB');
  });

  it('keeps names unique per workspace (409), checks If-Match (412), clears memory', async () => {
    expect((await t.http().post(agents()).set(owner.auth).send({ name: 'SUPPORT memory', type: 'assistant', config: { model: 'builtin', prompt: 'p' } }).expect(409)).body.code).toBe('ANALYSIS.AGENT_NAME_TAKEN');
    await t.http().post(agents(otherWs)).set(stranger.auth).send({ name: 'Support memory', type: 'assistant', config: { model: 'builtin', prompt: 'p' } }).expect(201);
    const current = await t.http().get(`${agents()}/${assistant.id}`).set(owner.auth).expect(200);
    await t.http().patch(`${agents()}/${assistant.id}`).set(owner.auth).set('If-Match', '"1"').send({ description: 'stale' }).expect(412);
    const renamed = await t.http().patch(`${agents()}/${assistant.id}`).set(owner.auth).set('If-Match', current.headers.etag).send({ name: 'Support brain' }).expect(200);
    expect(renamed.body.name).toBe('Support brain');
    // The old name is free again.
    await createAgent({ name: 'support memory', type: 'assistant', config: { model: 'builtin', prompt: 'p' } });
    await ended(assistant.id, (await run(assistant.id, { text: 'x', remember: { tone: 'formal' } })).id);
    // A retried run under the same Idempotency-Key is the same execution; the key with another input is refused.
    const once = await t.http().post(`${agents()}/${assistant.id}/executions`).set(owner.auth).set('Idempotency-Key', 'run-1').send({ input: { text: 'once' } }).expect(202);
    const again = await t.http().post(`${agents()}/${assistant.id}/executions`).set(owner.auth).set('Idempotency-Key', 'run-1').send({ input: { text: 'once' } }).expect(202);
    expect(again.body.id).toBe(once.body.id);
    await t.http().post(`${agents()}/${assistant.id}/executions`).set(owner.auth).set('Idempotency-Key', 'run-1').send({ input: { text: 'twice' } }).expect(422);
    await ended(assistant.id, once.body.id);
    const cleared = await t.http().delete(`${agents()}/${assistant.id}/memory`).set(owner.auth).expect(200);
    expect(cleared.body.memory).toEqual({ entries: {} });
    const list = await t.http().get(agents()).query({ limit: 500 }).set(owner.auth).expect(200);
    expect(list.body.items.map((a: { name: string }) => a.name)).toEqual(['Doomed', 'Enricher', 'Inbox watcher', 'Morning digest', 'Support brain', 'support memory', 'Topic curator']);
  });

  it('refuses a viewer\'s writes (403) and reads of someone else\'s agent (404), answers 404 to another workspace, 400 to bad input', async () => {
    const body = { name: 'V', type: 'assistant', config: { model: 'builtin', prompt: 'p' } };
    await t.http().post(agents()).set(viewer).send(body).expect(403);
    await t.http().post(`${agents()}/${assistant.id}/executions`).set(viewer).send({ input: { text: 'x' } }).expect(403);
    await t.http().patch(`${agents()}/${assistant.id}`).set(viewer).send({ description: 'x' }).expect(403);
    // Someone else's agent (its owner's only: ai-agents-owner-budget.e2e.spec.ts).
    await t.http().get(`${agents()}/${assistant.id}`).set(viewer).expect(404);
    expect((await t.http().get(`${agents(otherWs)}/${assistant.id}`).set(stranger.auth).expect(404)).body.code).toBe('ANALYSIS.AGENT_NOT_FOUND');
    await t.http().get(`${agents()}/${assistant.id}`).set(stranger.auth).expect(404);
    await t.http().post(`${agents(otherWs)}/${assistant.id}/executions`).set(stranger.auth).send({ input: { text: 'x' } }).expect(404);
    await t.http().get(`${agents(otherWs)}/${assistant.id}/executions`).set(stranger.auth).expect(404);
    const mine = (await t.http().get(`${agents()}/${assistant.id}/executions`).set(owner.auth).expect(200)).body.items[0];
    await t.http().get(`${agents(otherWs)}/${assistant.id}/executions/${mine.id}`).set(stranger.auth).expect(404);
    const theirProvider = (await t.http().post(`/api/v1/workspaces/${otherWs}/analysis/providers`).set(stranger.auth).send({ name: 'Theirs', type: 'builtin' }).expect(201)).body.id;
    expect((await t.http().post(agents()).set(owner.auth).send({ ...body, config: { ...body.config, providerId: theirProvider } }).expect(422)).body.code).toBe('ANALYSIS.PROVIDER_NOT_AVAILABLE');
    for (const bad of [
      { ...body, type: 'robot' },
      { ...body, name: '' },
      { ...body, config: { ...body.config, schedule: 'every morning' } },
      { ...body, config: { ...body.config, schedule: '*/5 * * * * *' } },
      { ...body, config: { ...body.config, events: ['analysis.agent-execution-completed'] } },
      { ...body, config: { ...body.config, events: ['not an event type'] } },
      { ...body, config: { ...body.config, parameters: { temperature: 3 } } },
      { ...body, config: { prompt: 'p' } },
      { ...body, skills: 'remember' },
      { ...body, extra: 1 },
    ]) {
      const res = await t.http().post(agents()).set(owner.auth).send(bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    await t.http().post(`${agents()}/${assistant.id}/executions`).set(owner.auth).send({ input: 'text' }).expect(400);
    await t.http().post(`${agents()}/${assistant.id}/executions`).set(owner.auth).send({ input: { text: 'x'.repeat(40_000) } }).expect(400);
    await t.http().get(`${agents()}/${assistant.id}/executions`).query({ status: 'exploded' }).set(owner.auth).expect(400);
    await t.http().get(`${agents()}/not-a-uuid`).set(owner.auth).expect(404);
  });
});
