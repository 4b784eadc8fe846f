import { BATCHES_IN_FLIGHT } from '@modules/analysis/application/run-execution/analysis-run.saga';
import { TASK_PROPOSALS_ANSWER_SCHEMA } from '@modules/analysis/domain/task-proposal/task-proposals-answer.schema';
import { analysisClient, ChatLine } from '@test/support/analysis-runs-client';
import { eventually } from '@test/support/eventually';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, createTestAppDatabase, TestApp, TestAppDatabase } from '@test/support/test-app';

const ANA = { name: 'Ana Souza', email: 'ana@acme.example', externalId: 'ana' };
const BOB = { name: 'Bob Mitchell', email: 'bob@acme.example', externalId: 'bob' };

/** A day of chat: two commitments, an assignment, and chatter, questions and opinions that are no tasks. */
const WORK_DAY: ChatLine[] = [
  { text: 'good morning everyone 👋', author: ANA },
  { text: "I'll fix the CSV export tomorrow, it crashes on big files.", author: BOB },
  { text: 'why does the sync job fail on Mondays?', author: ANA },
  { text: 'I think the new dashboard looks great', author: BOB },
  { text: '@ana can you deploy the billing service today?', author: BOB },
  { text: "Sure, I'll deploy it after lunch.", author: ANA },
  { text: "I'll write the release notes for 2.4 by Friday.", author: ANA },
];

/** The message ids of a prompt, in order (its lines `[<id>] ...`). */
const idsIn = (body: any): string[] => {
  const prompt = (body?.messages ?? []).find((m: { role: string; content: string }) => m.role === 'user' && m.content.includes('Messages:'));
  return prompt ? [...String(prompt.content).matchAll(/^\[([0-9a-f-]{36})\]/gm)].map((m) => m[1]) : [];
};
const chats = (f: FakeOpenAiServer, from = 0) => f.since(from).filter((r) => r.path === '/v1/chat/completions');
/** A schema-valid answer: one task on the first message of the batch whose text is in the prompt. */
const oneTaskPerBatch = (body: any) => {
  const [id] = idsIn(body);
  return JSON.stringify({
    tasks: id ? [{ title: `Follow up ${id.slice(-6)}`, description: 'From the model', sourceMessageIds: [id, '00000000-0000-4000-8000-000000000000'], quotes: [{ messageId: id, text: 'the words' }], confidence: 0.9, reasoning: 'a commitment', priority: 'high', category: 'chore', recommendation: 'new_task', owner: 'Zed Nobody', dueDate: null, tags: ['model'], subTasks: [{ title: 'step one' }] }] : [],
  });
};


async function llmAssignment(t: TestApp, owner: SignedUp, ws: string, baseUrl: string): Promise<string> {
  const base = `/api/v1/workspaces/${ws}/analysis`;
  const provider = (await t.http().post(`${base}/providers`).set(owner.auth).send({ name: 'Fake OpenAI', type: 'openai-compatible', baseUrl, apiKey: 'sk-test-runs' }).expect(201)).body;
  const agent = (await t.http().post(`${base}/agent-configs`).set(owner.auth).send({ name: 'Mini', providerId: provider.id, modelName: 'gpt-4o-mini', systemPrompt: 'You find work items.', temperature: 0, maxTokens: 800 }).expect(201)).body;
  const task = (await t.http().post(`${base}/task-configs`).set(owner.auth).send({ name: 'Proposals', responseSchema: TASK_PROPOSALS_ANSWER_SCHEMA }).expect(201)).body;
  return (await t.http().post(`${base}/assignments`).set(owner.auth).send({ agentId: agent.id, taskId: task.id }).expect(201)).body.id;
}

describe('analysis runs as a saga (e2e)', () => {
  let t: TestApp;
  let owner: SignedUp;
  let ws: string;
  let fake: FakeOpenAiServer;
  const c = () => analysisClient(t, () => ws, () => owner);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-test-runs' });
    t = await createTestApp({ env: { CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', LLM_TIMEOUT_MS: '1500', LLM_MAX_RETRIES: '0' } });
    owner = await signUp(t.app);
    ws = await createWorkspace(t.app, owner);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  describe('the built-in engine', () => {
    it('goes pending -> running -> completed -> reviewed -> closed, with counters, a config snapshot and included_in_runs', async () => {
      await c().importDay(2, WORK_DAY);
      await c().classified(2);
      const run = await c().start(c().window(2));
      expect(run).toEqual(expect.objectContaining({ status: 'pending', triggerType: 'manual', triggeredByUserId: owner.userId, proposalsTotal: 0 }));
      expect(run.configSnapshot).toEqual(expect.objectContaining({ engine: 'builtin', batching: { tokenBudget: 40000, maxMessagesPerBatch: 1000 } }));
      expect(run.configSnapshot.assignment.provider.type).toBe('builtin');

      const done = await c().until(run.id, 'completed');
      expect(done).toEqual(expect.objectContaining({ totalMessagesInWindow: 7, messagesAfterPrefilter: 6, prefilteredOut: { noise: 1 }, batchesCreated: 1, batchesDone: 1, batchesFailed: 0, llmTokensUsed: 0, costEstimate: 0, errorLog: [] }));
      expect(done.progress).toEqual({ batchesDone: 1, batchesTotal: 1, percent: 100, etaSeconds: null });
      expect(done.proposalsTotal).toBeGreaterThanOrEqual(3);
      expect(done.proposalsPending).toBe(done.proposalsTotal);

      const proposals = await c().proposals({ runId: run.id });
      expect(proposals).toHaveLength(done.proposalsTotal);
      const titles = proposals.map((p: { proposedTitle: string }) => p.proposedTitle.toLowerCase());
      expect(titles.some((x: string) => x.includes('csv export'))).toBe(true);
      expect(titles.some((x: string) => x.includes('release notes'))).toBe(true);
      // No proposal rests on chatter, questions or opinions.
      const quotes = proposals.flatMap((p: { sourceMessages: { quote: string }[] }) => p.sourceMessages.map((s) => s.quote));
      expect(quotes.join(' ')).not.toMatch(/good morning|why does|looks great/);
      for (const p of proposals) {
        expect(p).toEqual(expect.objectContaining({ status: 'pending', analysisRunId: run.id, includedInRuns: [run.id], similarityType: 'none', llmRecommendation: 'new_task' }));
        expect(p.sourceMessages[0]).toEqual(expect.objectContaining({ messageId: expect.any(String), quote: expect.any(String), includedInRuns: [run.id] }));
        expect(p.messageCount).toBe(p.sourceMessageIds.length);
      }
      const csv = proposals.find((p: { proposedTitle: string }) => /csv export/i.test(p.proposedTitle));
      expect(csv).toEqual(expect.objectContaining({ proposedCategory: 'bug', dueDate: '2026-03-03' }));
      // The owner is the known author who committed (an author subject id), never invented.
      expect(csv.ownerId).toEqual(expect.any(String));

      await t.http().post(`${c().base()}/runs/${run.id}/close`).set(owner.auth).expect(422);
      const bulk = await t.http().post(`${c().base()}/proposals/bulk`).set(owner.auth).send({ action: 'approve', proposalIds: proposals.map((p: { id: string }) => p.id) }).expect(200);
      expect(bulk.body.succeeded).toBe(proposals.length);
      const reviewed = await c().get(run.id);
      expect(reviewed).toEqual(expect.objectContaining({ status: 'reviewed', proposalsPending: 0, proposalsApproved: proposals.length }));
      expect(reviewed.accuracyMetrics).toEqual(expect.objectContaining({ reviewed: proposals.length, approved: proposals.length, precision: 1 }));
      const closed = await t.http().post(`${c().base()}/runs/${run.id}/close`).set(owner.auth).expect(200);
      expect(closed.body.status).toBe('closed');
      expect(await c().runEventTypes(run.id)).toEqual([
        'analysis.run-requested', 'analysis.run-started', 'analysis.run-completed', 'analysis.run-reviewed', 'analysis.run-closed',
      ]);
      // Cancelling a closed run is refused.
      await t.http().post(`${c().base()}/runs/${run.id}/cancel`).set(owner.auth).expect(422);
    });

    it('a re-run over the same window adds no duplicate: it links the existing proposals and records itself on the messages', async () => {
      const first = (await c().proposals({})).filter((p: { analysisRunId: string }) => p.analysisRunId);
      const before = first.length;
      const run = await c().start(c().window(2));
      // Nothing new to review: completed and reviewed at once.
      const done = await c().until(run.id, 'reviewed');
      expect(done).toEqual(expect.objectContaining({ proposalsTotal: 0, proposalsPending: 0, proposalsLinked: before }));
      expect(await c().proposals({})).toHaveLength(before);
      const linked = await c().proposals({ runId: run.id });
      expect(linked).toHaveLength(before);
      for (const p of linked) {
        expect(p.includedInRuns).toEqual([p.analysisRunId, run.id]);
        for (const m of p.sourceMessages) expect(m.includedInRuns).toEqual(expect.arrayContaining([p.analysisRunId, run.id]));
      }
      expect(await c().runEventTypes(run.id)).toEqual(['analysis.run-requested', 'analysis.run-started', 'analysis.run-completed', 'analysis.run-reviewed']);
    });

    it('a near-identical open task found again in other messages is linked to them, not proposed again', async () => {
      const tasks = (await t.http().get(`${c().base()}/tasks`).set(owner.auth).expect(200)).body.items;
      const csv = tasks.find((x: { title: string }) => /csv export/i.test(x.title));
      expect(csv.messages).toHaveLength(1);
      await c().importDay(3, [{ text: "I'll fix the CSV export tomorrow, promise.", author: BOB }]);
      const run = await c().start(c().window(3));
      const done = await c().until(run.id, 'reviewed');
      expect(done.proposalsTotal).toBe(0);
      const after = (await t.http().get(`${c().base()}/tasks/${csv.id}`).set(owner.auth).expect(200)).body;
      expect(after.messages).toHaveLength(2);
      expect(after.messages[1].quote).toMatch(/CSV export tomorrow, promise/);
    });

    it('an empty window completes with no batch and nothing to review; bad windows and unknown assignments are refused', async () => {
      const run = await c().start(c().window(20));
      const done = await c().until(run.id, 'reviewed');
      expect(done).toEqual(expect.objectContaining({ totalMessagesInWindow: 0, batchesCreated: 0, proposalsTotal: 0 }));
      const bad = await t.http().post(`${c().base()}/runs`).set(owner.auth).send({ windowStart: '2026-03-05T00:00:00Z', windowEnd: '2026-03-04T00:00:00Z' }).expect(400);
      expect(bad.body.code).toBe('ANALYSIS.INVALID_WINDOW');
      await t.http().post(`${c().base()}/runs`).set(owner.auth).send({ windowStart: '2026-02-30T00:00:00Z', windowEnd: '2026-03-04T00:00:00Z' }).expect(400);
      const missing = await t.http().post(`${c().base()}/runs`).set(owner.auth).send({ ...c().window(2), agentAssignmentId: '01a23bd6-0000-7000-8000-000000000000' }).expect(404);
      expect(missing.body.code).toBe('ANALYSIS.ASSIGNMENT_NOT_FOUND');
      await t.http().get(`${c().base()}/runs/not-a-uuid`).set(owner.auth).expect(404);
      const list = await t.http().get(`${c().base()}/runs?limit=2`).set(owner.auth).expect(200);
      expect(list.body.items).toHaveLength(2);
      const next = await t.http().get(`${c().base()}/runs?limit=2&cursor=${list.body.nextCursor}`).set(owner.auth).expect(200);
      expect(next.body.items[0].id).not.toBe(list.body.items[1].id);
      await t.http().get(`${c().base()}/runs?cursor=bm9wZQ`).set(owner.auth).expect(400);
    });

    it('cancel works mid-run: no batch starts after it, and the run says how far it got', async () => {
      // Many small batches: one message each.
      const lines: ChatLine[] = Array.from({ length: 300 }, (_, i) => ({ text: `I'll check the report number ${i} and send it over by Friday, as promised to the whole team.`, author: i % 2 ? ANA : BOB, at: i }));
      await c().importDay(10, lines);
      const run = await c().start({ ...c().window(10), batchTokenBudget: 200 });
      await eventually(async () => expect((await c().get(run.id)).batchesDone).toBeGreaterThanOrEqual(2), 30_000, 20);
      const cancelled = (await t.http().post(`${c().base()}/runs/${run.id}/cancel`).set(owner.auth).expect(200)).body;
      expect(cancelled.status).toBe('cancelled');
      // The saga ends: no command of this run is left to send.
      await eventually(async () => {
        const r = await t.pool.query(`SELECT status FROM saga_instances WHERE saga = 'analysis.run' AND instance_id = $1`, [run.id]);
        expect(r.rows[0].status).toBe('completed');
        const pending = await t.pool.query(`SELECT count(*)::int AS n FROM saga_commands WHERE saga = 'analysis.run' AND instance_id = $1 AND status = 'pending'`, [run.id]);
        expect(pending.rows[0].n).toBe(0);
      }, 30_000, 50);
      const after = await c().get(run.id);
      expect(after.status).toBe('cancelled');
      expect(after.batchesCreated).toBeGreaterThan(50);
      // At most the batches in flight when the cancel arrived (BATCHES_IN_FLIGHT) finished after it.
      expect(after.batchesDone).toBeLessThanOrEqual(cancelled.batchesDone + BATCHES_IN_FLIGHT);
      expect(after.batchesDone).toBeLessThan(after.batchesCreated);
      expect((await c().runEventTypes(run.id)).at(-1)).toBe('analysis.run-cancelled');
    });
  });

  describe('the OpenAI-compatible path (local fake server)', () => {
    let assignmentId: string;

    beforeAll(async () => {
      assignmentId = await llmAssignment(t, owner, ws, fake.baseUrl);
      await c().importDay(12, WORK_DAY.map((l, i) => ({ ...l, at: i * 10 })));
      await c().classified(12);
    });

    it('sends the batch with the task config\'s JSON schema, stores the answer as proposals, and accounts tokens and cost', async () => {
      fake.replyWith(oneTaskPerBatch);
      const from = fake.requests.length;
      const run = await c().start({ ...c().window(12), agentAssignmentId: assignmentId, batchTokenBudget: 60 });
      expect(run.configSnapshot.engine).toBe('llm');
      expect(run.configSnapshot.assignment.provider).toEqual(expect.objectContaining({ type: 'openai-compatible', baseUrl: fake.baseUrl }));
      expect(JSON.stringify(run.configSnapshot)).not.toContain('sk-test-runs');
      const done = await c().until(run.id, 'completed');
      const calls = chats(fake, from);
      expect(calls).toHaveLength(done.batchesCreated);
      expect(done.batchesCreated).toBeGreaterThan(1);
      const body = calls[0].body;
      expect(body.model).toBe('gpt-4o-mini');
      expect(body.response_format).toEqual({ type: 'json_schema', json_schema: expect.objectContaining({ name: 'answer', schema: TASK_PROPOSALS_ANSWER_SCHEMA }) });
      expect(body.messages[0].content).toMatch(/^You find work items\.[\s\S]*Most conversations contain none/);
      expect(calls[0].headers.authorization).toBe('Bearer sk-test-runs');
      // Tokens as the server counted them, cost from the price table (gpt-4o-mini: 0.15 / 0.60 USD per 1M).
      expect(done.tokensIn).toBeGreaterThan(0);
      expect(done.tokensOut).toBeGreaterThan(0);
      expect(done.llmTokensUsed).toBe(done.tokensIn + done.tokensOut);
      expect(done.costEstimate).toBeCloseTo((done.tokensIn * 0.15 + done.tokensOut * 0.6) / 1_000_000, 8);
      const metered = await t.pool.query(`SELECT count(*)::int AS n, sum(prompt_tokens)::int AS p FROM llm_usage_logs WHERE workspace_id = $1 AND workflow_name = 'analysis.run' AND status = 'ok' AND created_at >= $2`, [ws, run.createdAt]);
      expect(metered.rows[0]).toEqual({ n: done.batchesCreated, p: done.tokensIn });

      const proposals = await c().proposals({ runId: run.id });
      expect(proposals).toHaveLength(done.batchesCreated);
      const p = proposals[0];
      // The unknown message id the model cited is left out; the quote is the model's; an owner name no known person has stays empty.
      expect(p.sourceMessageIds).toHaveLength(1);
      expect(p.sourceMessages[0].quote).toBe('the words');
      expect(p).toEqual(expect.objectContaining({ proposedPriority: 'high', proposedCategory: 'chore', confidence: 0.9, proposedTags: ['model'], proposedSubTasks: [{ title: 'step one' }], dueDate: null, ownerId: null }));
    });

    it('an invalid answer is asked again once with the validation errors, then the batch fails; every batch failing fails the run with its error log', async () => {
      fake.replyWith(() => JSON.stringify({ tasks: [{ title: 'no sources' }] }));
      const from = fake.requests.length;
      const run = await c().start({ ...c().window(12), agentAssignmentId: assignmentId });
      const failed = await c().until(run.id, 'failed');
      const calls = chats(fake, from);
      expect(failed.batchesCreated).toBe(1);
      expect(calls).toHaveLength(2);
      expect(calls[1].body.messages.at(-1).content).toMatch(/^Your previous answer was invalid: .*sourceMessageIds/);
      expect(failed.error).toEqual({ code: 'ALL_BATCHES_FAILED', message: expect.stringContaining('INVALID_ANSWER') });
      expect(failed.errorLog).toEqual([
        expect.objectContaining({ batchIndex: 0, code: 'INVALID_ANSWER', message: expect.stringContaining('does not match the schema') }),
        expect.objectContaining({ batchIndex: null, code: 'ALL_BATCHES_FAILED' }),
      ]);
      expect(failed.proposalsTotal).toBe(0);
      // Both calls were answered and paid for: their prompts are counted.
      expect(failed.tokensIn).toBeGreaterThan(0);
      expect(await c().runEventTypes(run.id)).toEqual(['analysis.run-requested', 'analysis.run-started', 'analysis.run-failed']);
    });

    it('a 429 and a timeout are tried again and the batch completes; a provider that keeps refusing fails the batch with the reason', async () => {
      fake.replyWith(oneTaskPerBatch);
      let from = fake.requests.length;
      fake.failNext(1, { status: 429, retryAfterSeconds: 0 }, '/v1/chat/completions').failNext(1, 'timeout', '/v1/chat/completions');
      const run = await c().start({ ...c().window(12), agentAssignmentId: assignmentId });
      const done = await c().until(run.id, ['completed', 'reviewed']);
      expect(chats(fake, from).map((r) => r.status)).toEqual([429, null, 200]);
      expect(done.batchesFailed).toBe(0);
      expect(done.errorLog).toEqual([]);

      from = fake.requests.length;
      fake.failNext(3, { status: 429, retryAfterSeconds: 0 }, '/v1/chat/completions');
      const refused = await c().start({ ...c().window(12), agentAssignmentId: assignmentId });
      const failed = await c().until(refused.id, 'failed');
      expect(chats(fake, from)).toHaveLength(3);
      expect(failed.errorLog[0]).toEqual(expect.objectContaining({ batchIndex: 0, code: 'PROVIDER_UNAVAILABLE' }));
    });
  });
});

/**
 * A crash mid-run: the app stops while the model works on the second batch (that call is never
 * answered), and a new app on the same database takes the run over. The finished first batch is
 * never sent to the model again; the unfinished one is (it had no result).
 */
describe('analysis runs across a crash and restart (e2e)', () => {
  let database: TestAppDatabase | undefined;
  let fake: FakeOpenAiServer;
  // Priced, so the model batches spend and a budget of 0 is passed after the first run.
  const env = { CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', LLM_TIMEOUT_MS: '2000', LLM_MAX_RETRIES: '0', LLM_PRICES: JSON.stringify({ 'gpt-4o-mini': { prompt: 1000, completion: 2000 } }) };

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-test-runs' });
    database = await createTestAppDatabase({ onDisk: true });
  });
  afterAll(async () => {
    await database?.close();
    await fake?.close();
  });

  it('resumes at the first batch without a result, without a second model call for a finished batch; an exceeded budget then stops a run', async () => {
    const first = await createTestApp({ database, env });
    let owner: SignedUp;
    let ws: string;
    let runId: string;
    const firstIds: string[] = [];
    try {
      owner = await signUp(first.app);
      ws = await createWorkspace(first.app, owner);
      const assignmentId = await llmAssignment(first, owner, ws, fake.baseUrl);
      const c = analysisClient(first, () => ws, () => owner);
      await c.importDay(5, Array.from({ length: 9 }, (_, i) => ({ text: `I'll send the quarterly numbers for region ${i} to finance today.`, author: i % 2 ? ANA : BOB, at: i * 5 })));
      fake.replyWith((body) => {
        const ids = idsIn(body);
        firstIds.push(ids[0]);
        // The next call (the second batch) is held: the app stops while it waits.
        if (firstIds.length === 1) fake.failNext(1, 'timeout', '/v1/chat/completions');
        return oneTaskPerBatch(body);
      });
      const run = await c.start({ ...c.window(5), agentAssignmentId: assignmentId, batchTokenBudget: 60 });
      runId = run.id;
      await eventually(async () => {
        expect((await c.get(runId)).batchesDone).toBe(1);
        expect(chats(fake)).toHaveLength(2);
      }, 30_000, 25);
    } finally {
      await first.close();
    }

    const second = await createTestApp({ database, env });
    try {
      const c = analysisClient(second, () => ws, () => owner);
      const done = await c.until(runId, 'completed', 60_000);
      expect(done.batchesCreated).toBeGreaterThanOrEqual(3);
      expect(done.batchesDone).toBe(done.batchesCreated);
      expect(done.batchesFailed).toBe(0);
      const calls = chats(fake).map((r) => idsIn(r.body)[0]);
      const [batch0, batch1] = calls;
      // The finished batch once; the one the crash cut twice (it had no result); each other once.
      expect(calls.filter((id) => id === batch0)).toHaveLength(1);
      expect(calls.filter((id) => id === batch1)).toHaveLength(2);
      expect(new Set(calls).size).toBe(done.batchesCreated);
      expect(calls).toHaveLength(done.batchesCreated + 1);
      expect(done.proposalsTotal).toBe(done.batchesCreated);

      // The workspace's real budget (the usage part's LlmBudgets): a limit the spend has passed.
      await second.http().put(`/api/v1/workspaces/${ws}/analysis/budget`).set(owner.auth).send({ monthlyLimitUsd: 0 }).expect(200);
      const status = (await second.http().get(`/api/v1/workspaces/${ws}/analysis/budget`).set(owner.auth).expect(200)).body;
      expect(status).toEqual(expect.objectContaining({ exceeded: true }));
      const before = chats(fake).length;
      const assignmentId = done.agentAssignmentId;
      const stopped = await c.start({ ...c.window(5), agentAssignmentId: assignmentId });
      const failed = await c.until(stopped.id, 'failed');
      expect(failed.error).toEqual({ code: 'BUDGET_EXCEEDED', message: expect.stringContaining('budget') });
      expect(chats(fake)).toHaveLength(before);
      // The built-in engine spends nothing: it runs whatever the budget.
      const builtin = await c.start(c.window(5));
      await c.until(builtin.id, ['completed', 'reviewed']);
    } finally {
      await second.close();
    }
  });
});
