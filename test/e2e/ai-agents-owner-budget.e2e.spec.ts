import { CommandFactory } from 'nest-commander';
import { CliModule } from '@app/cli/cli.module';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { formatSecretKey } from '@libs/common/crypto/secret-keys';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { LlmUsageMeter } from '@libs/ai/metering/llm-usage-meter';
import { JobQueue } from '@libs/jobs/job-queue';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { AgentExecutionRunner } from '@modules/analysis/application/execute-ai-agent/agent-execution.runner';
import { AgentSchedules } from '@modules/analysis/application/execute-ai-agent/agent-schedules';
import { EXECUTION_JOB, EXPERIMENT_JOB } from '@modules/analysis/application/execute-ai-agent/ai-work-dispatcher.consumer';
import { ClassificationExperimentRunner } from '@modules/analysis/application/run-classification-experiment/classification-experiment.runner';
import { eventually } from '@test/support/eventually';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createWorkspace, signUp, SignedUp, signUpVerified } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

/** Dear on purpose (USD per 1M tokens): one call costs enough to pass a budget set just above the spend. */
const PRICES = { 'fake-model': { prompt: 1000, completion: 2000 } };
const ADMIN_TOKEN = 'admin-token-for-ai-agents-owner-0123456789';
/** A fixed key, so the CLI context started below opens what the app sealed. */
const SECRETS_KEYS = formatSecretKey(SecretBox.generateKey('k1'));
const AGENT_VIEWS = {
  'analysis.ai-agents': 'analysis_ai_agents_view',
  'analysis.agent-executions': 'analysis_agent_executions_view',
  'analysis.classification-experiments': 'analysis_classification_experiments_view',
  'analysis.llm-budgets': 'analysis_llm_budgets_view',
} as const;

/**
 * AI agents are their owner's (seed 004 ai_agents.user_id), like an Ask conversation: another
 * member, a workspace admin or an API key neither reads nor runs them, nor sees their events in
 * the audit. And the workspace's LLM budget (the usage part's LlmBudgets) stops an execution and
 * an experiment on a paid provider, with a clear status and without calling the model.
 */
describe('analysis: AI agents belong to their owner; the LLM budget stops paid agent work (e2e)', () => {
  let t: TestApp;
  let fake: FakeOpenAiServer;
  let admin: SignedUp;
  let colleague: SignedUp;
  let ws: string;
  let adminKey: { 'X-API-Key': string };
  let memberKey: { 'X-API-Key': string };
  const base = () => `/api/v1/workspaces/${ws}/analysis`;
  const ended = (who: SignedUp, agentId: string, executionId: string) =>
    eventually(async () => {
      const r = await t.http().get(`${base()}/agents/${agentId}/executions/${executionId}`).set(who.auth).expect(200);
      expect(['completed', 'failed']).toContain(r.body.status);
      return r.body;
    }, 30_000, 100);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    fake.replyWith(() => JSON.stringify({ answer: 'Noted.', remember: [], forget: [] }));
    t = await createTestApp({ env: { RUN_JOBS: 'true', ADMIN_TOKEN, SECRETS_KEYS, CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', LLM_MAX_RETRIES: '0', LLM_PRICES: JSON.stringify(PRICES) }, processEnv: { ADMIN_TOKEN } });
    admin = await signUp(t.app);
    ws = await createWorkspace(t.app, admin);
    colleague = await signUpVerified(t.app);
    await t.http().post(`/api/v1/workspaces/${ws}/members`).set(admin.auth).send({ email: colleague.email, role: 'member' }).expect(201);
    adminKey = { 'X-API-Key': (await t.http().post(`/api/v1/workspaces/${ws}/api-keys`).set(admin.auth).send({ name: 'automation', role: 'admin' }).expect(201)).body.key };
    memberKey = { 'X-API-Key': (await t.http().post(`/api/v1/workspaces/${ws}/api-keys`).set(admin.auth).send({ name: 'bot', role: 'member' }).expect(201)).body.key };
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  describe('an agent is its owner\'s', () => {
    const secret = 'My plan: leave the company in March, tell nobody yet.';
    let agentId: string;
    let executionId: string;

    beforeAll(async () => {
      agentId = (await t.http().post(`${base()}/agents`).set(colleague.auth).send({ name: 'Diary', type: 'assistant', config: { model: 'builtin', prompt: 'Keep my notes.' } }).expect(201)).body.id;
      executionId = (await t.http().post(`${base()}/agents/${agentId}/executions`).set(colleague.auth).send({ input: { text: secret, remember: { 'plan.march': secret } } }).expect(202)).body.id;
      expect((await ended(colleague, agentId, executionId)).status).toBe('completed');
    });

    it('the owner reads, lists, runs and changes it', async () => {
      const agent = (await t.http().get(`${base()}/agents/${agentId}`).set(colleague.auth).expect(200)).body;
      expect(agent).toMatchObject({ ownerId: colleague.userId, memory: { entries: { 'plan.march': expect.objectContaining({ value: secret }) } } });
      expect((await t.http().get(`${base()}/agents`).set(colleague.auth).expect(200)).body.items.map((a: { id: string }) => a.id)).toEqual([agentId]);
      expect((await t.http().get(`${base()}/agents/${agentId}/executions`).set(colleague.auth).expect(200)).body.items.map((e: { id: string }) => e.id)).toEqual([executionId]);
      await t.http().patch(`${base()}/agents/${agentId}`).set(colleague.auth).send({ description: 'mine' }).expect(200);
    });

    it('another member, the workspace admin and API keys get 404 on it, its executions and its memory, and do not list it', async () => {
      const wrong: string[] = [];
      for (const [who, headers] of [
        ['workspace admin', admin.auth],
        ['admin API key', adminKey],
        ['member API key', memberKey],
      ] as const) {
        const calls: [string, Promise<{ status: number; body: unknown }>][] = [
          ['GET agent', t.http().get(`${base()}/agents/${agentId}`).set(headers).then((r) => r)],
          ['GET executions', t.http().get(`${base()}/agents/${agentId}/executions`).set(headers).then((r) => r)],
          ['GET execution', t.http().get(`${base()}/agents/${agentId}/executions/${executionId}`).set(headers).then((r) => r)],
          ['POST execution', t.http().post(`${base()}/agents/${agentId}/executions`).set(headers).send({ input: { text: 'what is the plan?' } }).then((r) => r)],
          ['PATCH agent', t.http().patch(`${base()}/agents/${agentId}`).set(headers).send({ description: 'taken over' }).then((r) => r)],
          ['DELETE memory', t.http().delete(`${base()}/agents/${agentId}/memory`).set(headers).then((r) => r)],
        ];
        for (const [what, call] of calls) {
          const res = await call;
          if (res.status !== 404) wrong.push(`${who}: ${what} -> ${res.status}`);
          if (JSON.stringify(res.body).includes(secret)) wrong.push(`${who}: ${what} leaked the memory`);
        }
        const list = await t.http().get(`${base()}/agents`).set(headers).expect(200);
        if (list.body.items.some((a: { id: string }) => a.id === agentId)) wrong.push(`${who}: listed the agent`);
      }
      expect(wrong).toEqual([]);
      const agent = (await t.http().get(`${base()}/agents/${agentId}`).set(colleague.auth).expect(200)).body;
      expect(agent.description).toBe('mine');
      expect(Object.keys(agent.memory.entries)).toEqual(['plan.march']);
    });

    it('its name stays taken for others (names are unique per workspace), without saying whose it is', async () => {
      const res = await t.http().post(`${base()}/agents`).set(admin.auth).send({ name: 'diary', type: 'assistant', config: { model: 'builtin', prompt: 'p' } }).expect(409);
      expect(JSON.stringify(res.body)).not.toContain(colleague.userId);
    });

    it('the workspace audit shows none of its events, nor its executions\', to the admin', async () => {
      const wrong: string[] = [];
      for (const [who, headers] of [
        ['workspace admin', admin.auth],
        ['admin API key', adminKey],
      ] as const) {
        for (const streamId of [`ai-agent-${agentId}`, `agent-execution-${executionId}`]) {
          const res = await t.http().get(`/api/v1/workspaces/${ws}/audit/streams/${encodeURIComponent(streamId)}`).set(headers);
          if (JSON.stringify(res.body).includes(secret) || /analysis\.(ai-agent|agent-execution)-/.test(JSON.stringify(res.body))) wrong.push(`${who}: ${streamId} -> ${res.status}`);
        }
        const all = await t.http().get(`/api/v1/workspaces/${ws}/audit/events`).query({ limit: 500 }).set(headers).expect(200);
        const text = JSON.stringify(all.body);
        if (text.includes(secret) || text.includes(executionId)) wrong.push(`${who}: the event list shows the agent's events`);
        if (!text.includes('identity.')) wrong.push(`${who}: the event list is empty (the check above cannot fail)`);
      }
      expect(wrong).toEqual([]);
    });

    it('an agent on Ask conversation events runs on its owner\'s questions only, never on another member\'s (private to them), and copies no question (personal data, erasable)', async () => {
      const watcher = (await t.http().post(`${base()}/agents`).set(colleague.auth).send({ name: 'Question watcher', type: 'assistant', config: { model: 'builtin', prompt: 'p', events: ['knowledge.ai-conversation-user-message-added'] } }).expect(201)).body.id;
      const theirs = 'Is my manager planning layoffs in my team?';
      const mine = 'What did the team decide about the CSV export?';
      await t.http().post(`/api/v1/workspaces/${ws}/ask`).set(admin.auth).send({ question: theirs }).expect(200);
      const own = (await t.http().post(`/api/v1/workspaces/${ws}/ask`).set(colleague.auth).send({ question: mine }).expect(200)).body.conversationId;
      // The owner's own question triggers it (recorded after the admin's, so the admin's was seen already).
      const items = await eventually(async () => {
        const r = (await t.http().get(`${base()}/agents/${watcher}/executions`).set(colleague.auth).expect(200)).body.items;
        expect(r.length).toBeGreaterThan(0);
        return r;
      }, 30_000, 100);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ triggerType: 'event', triggerData: { eventType: 'knowledge.ai-conversation-user-message-added', streamId: `ai-conversation-${own}` }, input: { eventType: 'knowledge.ai-conversation-user-message-added' } });
      const rows = await t.pool.query(`SELECT count(*)::int AS n FROM analysis_agent_executions_view WHERE workspace_id = $1 AND (input::text LIKE '%layoffs%' OR input::text LIKE '%CSV export%')`, [ws]);
      expect(rows.rows[0].n).toBe(0);
      await t.http().patch(`${base()}/agents/${watcher}`).set(colleague.auth).send({ isActive: false }).expect(200);
    });

    it('an API key, acting for no person, cannot own an agent (403); experiments it requests are the workspace\'s', async () => {
      const res = await t.http().post(`${base()}/agents`).set(adminKey).send({ name: 'Keyed', type: 'assistant', config: { model: 'builtin', prompt: 'p' } }).expect(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const x = await t.http().post(`${base()}/experiments`).set(memberKey).send({ modelName: 'builtin', labelSet: { labels: [{ name: 'a' }, { name: 'b' }] }, messages: [{ text: 'a thing', expectedLabel: 'a' }] }).expect(202);
      expect(x.body).toMatchObject({ status: 'pending', requestedBy: null });
      await eventually(async () => expect((await t.http().get(`${base()}/experiments/${x.body.id}`).set(admin.auth).expect(200)).body.status).toBe('completed'), 30_000, 100);
    });
  });

  describe('the LLM budget', () => {
    it('stops an execution and an experiment on a paid provider once exceeded: failed with the budget named, no model call; the built-in model still runs', async () => {
      const providerId = (await t.http().post(`${base()}/providers`).set(admin.auth).send({ name: 'Paid', type: 'openai-compatible', baseUrl: fake.baseUrl }).expect(201)).body.id;
      const paid = (await t.http().post(`${base()}/agents`).set(admin.auth).send({ name: 'Paid agent', type: 'enrichment', config: { providerId, model: 'fake-model', prompt: 'Enrich.' } }).expect(201)).body.id;
      const free = (await t.http().post(`${base()}/agents`).set(admin.auth).send({ name: 'Free agent', type: 'assistant', config: { model: 'builtin', prompt: 'Summarise.' } }).expect(201)).body.id;
      const run = async (agentId: string, text: string) => ended(admin, agentId, (await t.http().post(`${base()}/agents/${agentId}/executions`).set(admin.auth).send({ input: { text } }).expect(202)).body.id);

      // One paid call under no budget: it costs (LLM_PRICES) and is metered.
      expect((await run(paid, 'Acme ships containers.')).status).toBe('completed');
      const spent = await eventually(async () => {
        const b = (await t.http().get(`${base()}/budget`).set(admin.auth).expect(200)).body;
        expect(b.spentUsd).toBeGreaterThan(0);
        return b.spentUsd as number;
      }, 10_000, 50);
      // A limit below what was spent: exceeded.
      await t.http().put(`${base()}/budget`).set(admin.auth).send({ monthlyLimitUsd: Math.floor((spent / 2) * 10_000) / 10_000 }).expect(200);
      expect((await t.http().get(`${base()}/budget`).set(admin.auth).expect(200)).body.exceeded).toBe(true);

      const before = fake.requests.filter((r) => r.path === '/v1/chat/completions').length;
      const stopped = await run(paid, 'Acme also ships by rail.');
      expect(stopped.status).toBe('failed');
      expect(stopped.error).toMatch(/budget/i);
      expect(stopped.output).toBeNull();

      const x = await t.http().post(`${base()}/experiments`).set(admin.auth).send({ providerId, modelName: 'fake-model', labelSet: { labels: [{ name: 'a' }, { name: 'b' }] }, messages: [{ text: 'one', expectedLabel: 'a' }, { text: 'two', expectedLabel: 'b' }] }).expect(202);
      const experiment = await eventually(async () => {
        const r = (await t.http().get(`${base()}/experiments/${x.body.id}`).set(admin.auth).expect(200)).body;
        expect(['completed', 'failed']).toContain(r.status);
        return r;
      }, 30_000, 100);
      expect(experiment.status).toBe('failed');
      expect(experiment.errorMessage).toMatch(/ANALYSIS\.AGENT_BUDGET_EXCEEDED/);
      // Viewers read experiments but not the budget: the error does not give the spend away.
      expect(experiment.errorMessage).not.toContain(spent.toFixed(4));
      expect(experiment.errorMessage).not.toMatch(/USD/);
      expect(fake.requests.filter((r) => r.path === '/v1/chat/completions').length).toBe(before);

      // The offline engine costs nothing: it still runs.
      expect((await run(free, 'A free summary.')).status).toBe('completed');
      await t.http().delete(`${base()}/budget`).set(admin.auth).expect(200);
    });
  });

  describe('rebuilds', () => {
    const rows = async () => {
      const out: Record<string, unknown[]> = {};
      for (const [name, table] of Object.entries(AGENT_VIEWS)) out[name] = (await t.pool.query(`SELECT * FROM ${table} WHERE workspace_id = $1 ORDER BY 1, 2`, [ws])).rows;
      return out;
    };

    it('the CLI knows the read models of agents, executions, experiments and budgets, and that agent events are their owner\'s', async () => {
      const context = await CommandFactory.createWithoutRunning(CliModule.forRoot(t.config), { logger: false });
      try {
        expect(context.get(ProjectionRegistry).all().map((p) => p.name)).toEqual(expect.arrayContaining(Object.keys(AGENT_VIEWS)));
        expect(context.get(EventTypeRegistry).privateTypesByOwnerPath().get('ownerId')).toEqual(expect.arrayContaining(['analysis.ai-agent-memory-updated', 'analysis.agent-execution-requested']));
      } finally {
        await context.close();
      }
    });

    it('rebuilt from the log (admin projections rebuild), agents, executions, experiments and budgets are the same rows', async () => {
      const before = await rows();
      expect(before['analysis.ai-agents'].length).toBeGreaterThan(0);
      expect(before['analysis.agent-executions'].length).toBeGreaterThan(0);
      expect(before['analysis.classification-experiments'].length).toBeGreaterThan(0);
      expect(before['analysis.llm-budgets'].length).toBe(1);
      const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
      for (const name of Object.keys(AGENT_VIEWS)) {
        const { rebuildId } = (await t.http().post(`/api/v1/admin/projections/${name}/rebuild`).set(admin).send({}).expect(202)).body;
        await eventually(async () => {
          const r = await t.http().get('/api/v1/admin/projections/rebuilds').query({ projection: name }).set(admin).expect(200);
          expect(r.body.items.find((x: { id: string }) => x.id === rebuildId)?.status).toBe('completed');
        }, 30_000, 100);
      }
      expect(await rows()).toEqual(before);
    });
  });

  describe('redelivery', () => {
    it('a request delivered again runs nothing twice: the job id is taken, the runners skip what ended (no second model call, memory or usage row)', async () => {
      const agentId = (await t.http().post(`${base()}/agents`).set(admin.auth).send({ name: 'Once', type: 'assistant', config: { model: 'builtin', prompt: 'p' } }).expect(201)).body.id;
      const executionId = (await t.http().post(`${base()}/agents/${agentId}/executions`).set(admin.auth).send({ input: { text: 'keep this', remember: { 'once.fact': 'kept once' } } }).expect(202)).body.id;
      expect((await ended(admin, agentId, executionId)).status).toBe('completed');
      const x = (await t.http().post(`${base()}/experiments`).set(admin.auth).send({ modelName: 'builtin', labelSet: { labels: [{ name: 'a' }, { name: 'b' }] }, messages: [{ text: 'a', expectedLabel: 'a' }] }).expect(202)).body.id;
      await eventually(async () => expect((await t.http().get(`${base()}/experiments/${x}`).set(admin.auth).expect(200)).body.status).toBe('completed'), 30_000, 100);
      const state = async () => ({
        agent: (await t.http().get(`${base()}/agents/${agentId}`).set(admin.auth).expect(200)).body,
        events: (await t.pool.query(`SELECT count(*)::int AS n FROM events WHERE workspace_id = $1`, [ws])).rows[0].n,
        calls: (await t.pool.query(`SELECT count(*)::int AS n FROM llm_usage_logs WHERE workspace_id = $1`, [ws])).rows[0].n,
      });
      // The meter writes after each call returns: every row of the runs above is in before the count.
      await t.app.get(LlmUsageMeter).flush();
      const before = await state();
      const queue = t.app.get(JobQueue);
      expect(await queue.enqueue(EXECUTION_JOB, { workspaceId: ws, executionId }, { id: executionId })).toBeNull();
      expect(await queue.enqueue(EXPERIMENT_JOB, { workspaceId: ws, experimentId: x }, { id: x })).toBeNull();
      expect(await t.app.get(AgentExecutionRunner).run(ws, executionId)).toBe('skipped');
      expect(await t.app.get(ClassificationExperimentRunner).run(ws, x)).toBe('skipped');
      expect(await state()).toEqual(before);
    });
  });

  describe('an owner who leaves', () => {
    it('takes their agents out of the workspace: no event triggers them, and their schedule\'s run fails with why', async () => {
      const leaver = await signUpVerified(t.app);
      await t.http().post(`/api/v1/workspaces/${ws}/members`).set(admin.auth).send({ email: leaver.email, role: 'member' }).expect(201);
      const config = { model: 'builtin', prompt: 'p', events: ['ingestion.message-ingested'] };
      const theirs = (await t.http().post(`${base()}/agents`).set(leaver.auth).send({ name: 'Leaver inbox', type: 'assistant', config: { ...config, schedule: '0 0 1 1 *' } }).expect(201)).body.id;
      const stays = (await t.http().post(`${base()}/agents`).set(admin.auth).send({ name: 'Admin inbox', type: 'assistant', config }).expect(201)).body.id;
      const jobs = t.app.get(ScheduledJobs);
      expect(jobs.registered(`ai-agent.${theirs}`)).toEqual({ cron: '0 0 1 1 *' });
      await t.http().delete(`/api/v1/workspaces/${ws}/members/${leaver.userId}`).set(admin.auth).expect((r) => expect(r.status).toBeLessThan(300));

      await t.http().post(`/api/v1/workspaces/${ws}/messages/import`).set(admin.auth).send({ source: { kind: 'api', name: 'Chat' }, messages: [{ externalId: 'after-leaving', content: 'The release moves to Friday.', channel: 'general', author: { name: 'Ana', externalId: 'U9' }, sentAt: '2026-03-01T10:00:00Z' }] }).expect(202);
      // The admin's agent ran on the message: the consumer has seen it.
      await eventually(async () => expect((await t.http().get(`${base()}/agents/${stays}/executions`).set(admin.auth).expect(200)).body.items).toHaveLength(1), 30_000, 100);
      const rows = await t.pool.query(`SELECT id, trigger_type, status, error FROM analysis_agent_executions_view WHERE agent_id = $1`, [theirs]);
      expect(rows.rows.filter((r) => r.trigger_type === 'event')).toEqual([]);
      // Their agent's schedule (a job until the next reconcile) runs it no more: the run fails and says why.
      const ctx = { name: `ai-agent.${theirs}`, runId: 'after-leaving', trigger: 'manual' as const, slot: '2027-01-01T00:00:00.000Z', attempt: 1, signal: new AbortController().signal };
      await expect(t.app.get(AgentSchedules).runScheduled(ws, theirs, ctx)).rejects.toThrow(/no longer a member/);
      const scheduled = await t.pool.query(`SELECT status, error FROM analysis_agent_executions_view WHERE agent_id = $1 AND trigger_type = 'scheduled'`, [theirs]);
      expect(scheduled.rows).toEqual([{ status: 'failed', error: "The agent's owner is no longer a member of the workspace" }]);
      // The next reconcile (every 30 s, here called at once) takes the departed owner's job away.
      await t.app.get(AgentSchedules).reconcile();
      expect(jobs.registered(`ai-agent.${theirs}`)).toBeNull();
    });
  });

  describe('deleting an agent', () => {
    it('removes it and its memory for good, frees its name, stops its schedule; only its owner may, anyone else gets 404', async () => {
      const created = (await t.http().post(`${base()}/agents`).set(colleague.auth).send({ name: 'Short-lived', type: 'assistant', config: { model: 'builtin', prompt: 'p', schedule: '0 3 * * *' } }).expect(201)).body;
      const executionId = (await t.http().post(`${base()}/agents/${created.id}/executions`).set(colleague.auth).send({ input: { text: 'note', remember: { 'x.fact': 'remembered' } } }).expect(202)).body.id;
      expect((await ended(colleague, created.id, executionId)).status).toBe('completed');
      const jobs = t.app.get(ScheduledJobs);
      expect(jobs.registered(`ai-agent.${created.id}`)).toEqual({ cron: '0 3 * * *' });

      // Someone else's agent is "not found" to them, the workspace admin included.
      await t.http().delete(`${base()}/agents/${created.id}`).set(admin.auth).expect(404);
      await t.http().delete(`${base()}/agents/${created.id}`).set(adminKey).expect(404);
      await t.http().delete(`${base()}/agents/${created.id}`).set(colleague.auth).set('If-Match', '"999"').expect(412);

      await t.http().delete(`${base()}/agents/${created.id}`).set(colleague.auth).expect(204);
      await t.http().get(`${base()}/agents/${created.id}`).set(colleague.auth).expect(404);
      await t.http().get(`${base()}/agents/${created.id}/executions/${executionId}`).set(colleague.auth).expect(404);
      await t.http().post(`${base()}/agents/${created.id}/executions`).set(colleague.auth).send({ input: { text: 'again' } }).expect(404);
      await t.http().delete(`${base()}/agents/${created.id}`).set(colleague.auth).expect(404);
      expect((await t.pool.query(`SELECT count(*)::int AS n FROM analysis_ai_agents_view WHERE id = $1`, [created.id])).rows[0].n).toBe(0);
      expect(jobs.registered(`ai-agent.${created.id}`)).toBeNull();
      // The name is free again, in any case.
      await t.http().post(`${base()}/agents`).set(admin.auth).send({ name: 'SHORT-LIVED', type: 'assistant', config: { model: 'builtin', prompt: 'p' } }).expect(201);
      // The deletion is in the log, private to the owner like the agent's other events.
      const logged = await t.pool.query(`SELECT event_type AS type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`ai-agent-${created.id}`]);
      expect(logged.rows.map((r) => r.type).at(-1)).toBe('analysis.ai-agent-deleted');
    });
  });

  describe('an owner who is erased', () => {
    it('takes what they told and were answered by their agents: prompt, memory, inputs and outputs read [erased] in the log and the read models, also after a rebuild; their agents stop', async () => {
      const secret = 'Remember: my doctor appointment is on the 14th.';
      const owner = await signUpVerified(t.app);
      await t.http().post(`/api/v1/workspaces/${ws}/members`).set(admin.auth).send({ email: owner.email, role: 'member' }).expect(201);
      const agentId = (await t.http().post(`${base()}/agents`).set(owner.auth).send({ name: 'Private diary', type: 'assistant', config: { model: 'builtin', prompt: `Keep this safe: ${secret}`, schedule: '0 4 * * *' } }).expect(201)).body.id;
      const executionId = (await t.http().post(`${base()}/agents/${agentId}/executions`).set(owner.auth).send({ input: { text: secret, remember: { 'health.appointment': secret } } }).expect(202)).body.id;
      expect((await ended(owner, agentId, executionId)).status).toBe('completed');
      const inLog = async () => (await t.pool.query(`SELECT count(*)::int AS n FROM events WHERE payload::text LIKE $1`, [`%doctor appointment%`])).rows[0].n;
      // Sealed per person from the start: never in clear in the log.
      expect(await inLog()).toBe(0);

      const operator = { Authorization: `Bearer ${ADMIN_TOKEN}` };
      await t.http().delete(`/api/v1/admin/subjects/${owner.userId}`).set(operator).expect(200);

      const read = async () => ({
        agent: (await t.pool.query(`SELECT memory, config->>'prompt' AS prompt FROM analysis_ai_agents_view WHERE id = $1`, [agentId])).rows[0],
        executions: (await t.pool.query(`SELECT input, output, status FROM analysis_agent_executions_view WHERE agent_id = $1`, [agentId])).rows,
      });
      const after = await read();
      expect(after).toEqual({ agent: { memory: { entries: {} }, prompt: '[erased]' }, executions: [{ input: '[erased]', output: '[erased]', status: 'completed' }] });
      expect(JSON.stringify(after)).not.toContain('doctor');
      // An erased person is no member: their agent's job goes.
      await t.app.get(AgentSchedules).reconcile();
      expect(t.app.get(ScheduledJobs).registered(`ai-agent.${agentId}`)).toBeNull();

      for (const name of ['analysis.ai-agents', 'analysis.agent-executions']) {
        const { rebuildId } = (await t.http().post(`/api/v1/admin/projections/${name}/rebuild`).set(operator).send({}).expect(202)).body;
        await eventually(async () => {
          const r = await t.http().get('/api/v1/admin/projections/rebuilds').query({ projection: name }).set(operator).expect(200);
          expect(r.body.items.find((x: { id: string }) => x.id === rebuildId)?.status).toBe('completed');
        }, 30_000, 100);
      }
      expect(await read()).toEqual(after);
    });
  });
});
