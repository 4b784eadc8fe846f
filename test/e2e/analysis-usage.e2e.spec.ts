import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { LlmUsageMeter } from '@libs/ai/metering/llm-usage-meter';
import { PriceTable } from '@libs/ai/metering/price-table';
import { LlmBudgets } from '@modules/analysis/application/analysis-models';
import { eventually } from '@test/support/eventually';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createWorkspace, signUp, SignedUp, signUpVerified } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'analysis-usage-operator-token-0123456789';
/** Dear on purpose (USD per 1M tokens): one answer costs tenths of a dollar, so a budget passes after one more question. */
const PRICES = { 'fake-model': { prompt: 1000, completion: 2000 } };
const prices = new PriceTable(PRICES);

const corpus = [
  { externalId: 'orbit-ship', content: 'Orbit sync ships to every Pro workspace on May 14, and the beta flag goes away that day.' },
  { externalId: 'orbit-price', content: 'Orbit sync price: $12 per seat per month, billed annually.' },
  { externalId: 'csv-bug', content: 'Exporting invoices to CSV times out for accounts with more than 10k invoices; the fix is in review.' },
].map((m, i) => ({ ...m, channel: 'product', author: { name: 'Priya Raman', externalId: 'U1' }, sentAt: `2026-03-0${i + 1}T10:00:00Z` }));

const QUESTIONS = { ship: 'When does Orbit sync ship?', price: 'What is the Orbit sync price?', csv: 'Why does the CSV export of invoices time out?' };

interface AskUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * LLM usage and cost reports, budgets and usage per user, from real metered calls: knowledge's
 * Ask through an OpenAI-compatible model (the fake server) priced by LLM_PRICES.
 */
describe('analysis: LLM usage, cost, budgets and usage per user (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let fake: FakeOpenAiServer;
  let owner: SignedUp;
  let colleague: SignedUp;
  let viewer: SignedUp;
  let ownerOfB: SignedUp;
  let wsA: string;
  let wsB: string;
  /** Every Ask answered in A, by who asked. */
  const asked: { who: string; usage: AskUsage }[] = [];
  const http = () => request(app.getHttpServer());
  const usageOf = (ws: string, who: SignedUp, query: Record<string, string> = {}) => http().get(`/api/v1/workspaces/${ws}/analysis/usage`).query(query).set(who.auth);
  const today = () => new Date().toISOString().slice(0, 10);
  /** Around now: yesterday 00:00 UTC to tomorrow. */
  const window = () => ({ from: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), to: new Date(Date.now() + 86_400_000).toISOString() });

  const ask = async (who: SignedUp, question: string) => {
    const res = await http().post(`/api/v1/workspaces/${wsA}/ask`).set(who.auth).send({ question }).expect(200);
    expect(res.body.model).toBe('fake-model');
    asked.push({ who: who.userId, usage: res.body.usage });
    return res.body;
  };
  const costOf = (usages: AskUsage[]) => usages.reduce((sum, u) => sum + prices.costOf('fake-model', u), 0);
  const sum = (usages: AskUsage[], key: keyof AskUsage) => usages.reduce((s, u) => s + u[key], 0);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-fake' });
    fake.replyWith(() => 'The answer is in the first passage [1].');
    testApp = await createTestApp({
      env: { ADMIN_TOKEN: TOKEN, LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl, LLM_API_KEY: 'sk-fake', LLM_MODEL: 'fake-model', LLM_MAX_RETRIES: '0', LLM_PRICES: JSON.stringify(PRICES) },
    });
    ({ app, pool } = testApp);
    owner = await signUp(app);
    wsA = await createWorkspace(app, owner);
    colleague = await signUpVerified(app);
    viewer = await signUpVerified(app);
    await http().post(`/api/v1/workspaces/${wsA}/members`).set(owner.auth).send({ email: colleague.email, role: 'member' }).expect(201);
    await http().post(`/api/v1/workspaces/${wsA}/members`).set(owner.auth).send({ email: viewer.email, role: 'viewer' }).expect(201);
    ownerOfB = await signUp(app);
    wsB = await createWorkspace(app, ownerOfB);
    await http().post(`/api/v1/workspaces/${wsA}/messages/import`).set(owner.auth).send({ source: { kind: 'api', name: 'Chat' }, messages: corpus }).expect(202);
    await eventually(async () => {
      const r = await pool.query(`SELECT count(DISTINCT message_id)::int AS n FROM knowledge_rag_chunks WHERE workspace_id = $1 AND embedding_status = 'ready'`, [wsA]);
      expect(r.rows[0].n).toBe(corpus.length);
    }, 30_000, 100);
    await ask(owner, QUESTIONS.ship);
    await ask(owner, QUESTIONS.price);
    await ask(colleague, QUESTIONS.csv);
    await ask(viewer, QUESTIONS.ship);
    await app.get(LlmUsageMeter).flush();
  });
  afterAll(async () => {
    await testApp?.close();
    await fake?.close();
  });

  describe('the report', () => {
    it('sums the Ask calls under workflow knowledge.ask: calls, tokens and cost from the price table', async () => {
      const res = await usageOf(wsA, owner, { ...window(), groupBy: 'workflow' }).expect(200);
      const row = res.body.rows.find((r: { workflow: string }) => r.workflow === 'knowledge.ask');
      const usages = asked.map((a) => a.usage);
      expect(row).toMatchObject({ workflow: 'knowledge.ask', calls: 4, errors: 0, promptTokens: sum(usages, 'promptTokens'), completionTokens: sum(usages, 'completionTokens'), totalTokens: sum(usages, 'totalTokens') });
      expect(row.costUsd).toBeCloseTo(costOf(usages), 9);
      expect(row.costUsd).toBeGreaterThan(0);
      // Every call of A is in one group: the groups add up to the totals.
      expect(res.body.rows.reduce((s: number, r: { calls: number }) => s + r.calls, 0)).toBe(res.body.totals.calls);
      expect(res.body.totals.costUsd).toBeCloseTo(costOf(usages), 9);
      expect(res.body).toMatchObject({ groupBy: ['workflow'], from: `${window().from}T00:00:00.000Z` });
    });

    it('groups by day and model (UTC days), and by several keys in the order asked', async () => {
      const byDayModel = await usageOf(wsA, owner, { ...window(), groupBy: 'day,model' }).expect(200);
      const answers = byDayModel.body.rows.filter((r: { model: string }) => r.model === 'fake-model');
      expect(answers).toEqual([expect.objectContaining({ day: today(), model: 'fake-model', calls: 4, totalTokens: sum(asked.map((a) => a.usage), 'totalTokens') })]);
      // The offline embedder's calls (chunks, questions) are metered too, at cost 0.
      expect(byDayModel.body.rows).toContainEqual(expect.objectContaining({ day: today(), model: 'offline-hashing-v1', costUsd: 0 }));
      const byModelWorkflow = await usageOf(wsA, owner, { ...window(), groupBy: 'model,workflow,provider' }).expect(200);
      expect(Object.keys(byModelWorkflow.body.rows[0]).slice(0, 3)).toEqual(['model', 'workflow', 'provider']);
      expect(byModelWorkflow.body.rows).toContainEqual(expect.objectContaining({ model: 'fake-model', workflow: 'knowledge.ask', provider: 'openai', calls: 4 }));
    });

    it('is the workspace\'s own: B\'s report has none of A\'s calls, and A\'s report answers 404 to B\'s owner', async () => {
      const b = await usageOf(wsB, ownerOfB, { ...window(), groupBy: 'model' }).expect(200);
      expect(b.body.rows.filter((r: { model: string }) => r.model === 'fake-model')).toEqual([]);
      const res = await usageOf(wsA, ownerOfB).expect(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      await http().get(`/api/v1/workspaces/${wsA}/analysis/budget`).set(ownerOfB.auth).expect(404);
      await http().get(`/api/v1/workspaces/${wsA}/analysis/usage/me`).set(ownerOfB.auth).expect(404);
    });

    it('members read it; viewers do not (403), nor the budget', async () => {
      await usageOf(wsA, colleague).expect(200);
      const res = await usageOf(wsA, viewer).expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
      await http().get(`/api/v1/workspaces/${wsA}/analysis/budget`).set(viewer.auth).expect(403);
    });

    it.each([
      [{ from: '2026-02-30' }, 'from'],
      [{ to: 'yesterday' }, 'to'],
      [{ from: '2026-12-02', to: '2026-12-01' }, 'to'],
      [{ from: '2026-12-02T10:00:00Z', to: '2026-12-02T10:00:00Z' }, 'to'],
      [{ groupBy: 'day,colour' }, 'groupBy'],
      [{ groupBy: 'day,day' }, 'groupBy'],
      [{ groupBy: 'workspace' }, 'groupBy'],
      [{ limit: '5' }, 'limit'],
    ])('answers 400 problem+json for bad input %j', async (query, field) => {
      const res = await usageOf(wsA, owner, query as Record<string, string>).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('the budget', () => {
    const budgetUrl = () => `/api/v1/workspaces/${wsA}/analysis/budget`;

    it('has none at first: the month\'s spend, no limit, not exceeded, version 0', async () => {
      const res = await http().get(budgetUrl()).set(colleague.auth).expect(200);
      expect(res.headers.etag).toBe('"0"');
      expect(res.body).toMatchObject({ workspaceId: wsA, monthlyLimitUsd: null, remainingUsd: null, exceeded: false, streamVersion: 0 });
      expect(res.body.spentUsd).toBeCloseTo(costOf(asked.map((a) => a.usage)), 9);
    });

    it('only admins set it; a bad limit is a 400', async () => {
      await http().put(budgetUrl()).set(colleague.auth).send({ monthlyLimitUsd: 10 }).expect(403);
      for (const body of [{ monthlyLimitUsd: -1 }, { monthlyLimitUsd: 'ten' }, { monthlyLimitUsd: 1.00001 }, {}, { monthlyLimitUsd: 5, currency: 'EUR' }]) {
        const res = await http().put(budgetUrl()).set(owner.auth).send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('is exceeded once the spend passes the limit: set just above this month\'s spend, one more question passes it', async () => {
      const spent = (await http().get(budgetUrl()).set(owner.auth).expect(200)).body.spentUsd as number;
      const limit = Math.ceil(spent * 10_000) / 10_000 + 0.0001;
      const set = await http().put(budgetUrl()).set(owner.auth).set('Idempotency-Key', 'budget-1').send({ monthlyLimitUsd: limit }).expect(200);
      expect(set.headers.etag).toBe('"1"');
      expect(set.body).toMatchObject({ monthlyLimitUsd: limit, exceeded: false, streamVersion: 1, updatedBy: owner.userId });
      expect(set.body.remainingUsd).toBeCloseTo(limit - spent, 9);
      // The same request again (Idempotency-Key): no second event.
      await http().put(budgetUrl()).set(owner.auth).set('Idempotency-Key', 'budget-1').send({ monthlyLimitUsd: limit }).expect(200);
      expect((await http().get(budgetUrl()).set(owner.auth).expect(200)).headers.etag).toBe('"1"');
      const budgets = app.get(LlmBudgets);
      expect(await budgets.status(wsA)).toMatchObject({ limitUsd: limit, exceeded: false });

      await ask(owner, QUESTIONS.csv);
      // What a run asks before each batch: the call just made counts.
      const status = await budgets.status(wsA);
      expect(status).toMatchObject({ limitUsd: limit, exceeded: true });
      expect(status.spentUsd).toBeCloseTo(costOf(asked.map((a) => a.usage)), 9);
      const res = await http().get(budgetUrl()).set(colleague.auth).expect(200);
      expect(res.body).toMatchObject({ exceeded: true, remainingUsd: 0 });
      // B has no budget and spent nothing.
      expect(await budgets.status(wsB)).toMatchObject({ limitUsd: null, spentUsd: 0, exceeded: false });
      // The operator sees who is over.
      const admin = await http().get('/api/v1/admin/analysis/usage').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(admin.body.budgets.items).toContainEqual({ workspaceId: wsA, monthlyLimitUsd: limit, spentUsd: status.spentUsd, exceeded: true });
    });

    it('takes If-Match: a stale version is a 412, the current one changes it; removed, there is no limit', async () => {
      const stale = await http().put(budgetUrl()).set(owner.auth).set('If-Match', '"0"').send({ monthlyLimitUsd: 1000 }).expect(412);
      expect(stale.body.code).toBe('ANALYSIS.BUDGET_STALE_VERSION');
      const raised = await http().put(budgetUrl()).set(owner.auth).set('If-Match', '"1"').send({ monthlyLimitUsd: 1000 }).expect(200);
      expect(raised.body).toMatchObject({ monthlyLimitUsd: 1000, exceeded: false, streamVersion: 2 });
      const removed = await http().delete(budgetUrl()).set(owner.auth).set('If-Match', '"2"').expect(200);
      expect(removed.headers.etag).toBe('"3"');
      expect(removed.body).toMatchObject({ monthlyLimitUsd: null, exceeded: false, streamVersion: 3 });
      const types = await pool.query(`SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`analysis-budget-${wsA}`]);
      expect(types.rows.map((r) => r.event_type)).toEqual(['analysis.llm-budget-set', 'analysis.llm-budget-set', 'analysis.llm-budget-removed']);
    });
  });

  describe('usage per user per day', () => {
    const queriesOf = (userId: string) => asked.filter((a) => a.who === userId).length;
    /** Tokens of each asker's question embeddings (offline, cost 0): metered as theirs too. */
    const embedded = new Map<string, number>();
    const tokensOf = (userId: string) => sum(asked.filter((a) => a.who === userId).map((a) => a.usage), 'totalTokens') + (embedded.get(userId) ?? 0);

    beforeAll(async () => {
      const r = await pool.query(
        `SELECT user_id, count(*)::int AS calls, sum(total_tokens)::int AS tokens FROM llm_usage_logs
          WHERE workspace_id = $1 AND workflow_name = 'knowledge.search' AND node_name = 'embed-query' GROUP BY user_id`,
        [wsA],
      );
      for (const row of r.rows) embedded.set(row.user_id, row.tokens);
      // Each question's embedding is its asker's: one per Ask, none for nobody.
      expect(Object.fromEntries(r.rows.map((row) => [row.user_id, row.calls]))).toEqual(Object.fromEntries([owner, colleague, viewer].map((u) => [u.userId, queriesOf(u.userId)])));
      expect([...embedded.values()].every((t) => t > 0)).toBe(true);
    });

    it('lists each asker\'s AI queries and tokens for the day (admin), and nothing of what was asked', async () => {
      const res = await http().get(`/api/v1/workspaces/${wsA}/analysis/usage/users`).query(window()).set(owner.auth).expect(200);
      const mine = (u: SignedUp) => res.body.items.filter((i: { userId: string }) => i.userId === u.userId);
      expect(mine(owner)).toEqual([expect.objectContaining({ date: today(), aiQueries: queriesOf(owner.userId), aiTokensUsed: tokensOf(owner.userId), emailsSent: 0, contactsAdded: 0 })]);
      expect(mine(colleague)).toEqual([expect.objectContaining({ date: today(), aiQueries: 1, aiTokensUsed: tokensOf(colleague.userId) })]);
      expect(mine(viewer)).toEqual([expect.objectContaining({ aiQueries: 1 })]);
      expect(res.body.totals).toEqual({ aiQueries: asked.length, aiTokensUsed: [owner, colleague, viewer].reduce((s, u) => s + tokensOf(u.userId), 0), users: 3 });
      expect(res.body.nextCursor).toBeNull();
      const text = JSON.stringify(res.body);
      for (const q of Object.values(QUESTIONS)) expect(text).not.toContain(q);
      expect(text).not.toContain('first passage');
    });

    it('pages with limit and cursor; a forged cursor is a 400', async () => {
      const first = await http().get(`/api/v1/workspaces/${wsA}/analysis/usage/users`).query({ ...window(), limit: 2 }).set(owner.auth).expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await http().get(`/api/v1/workspaces/${wsA}/analysis/usage/users`).query({ ...window(), limit: 2, cursor: first.body.nextCursor }).set(owner.auth).expect(200);
      expect(second.body.items).toHaveLength(1);
      expect(new Set([...first.body.items, ...second.body.items].map((i: { userId: string }) => i.userId)).size).toBe(3);
      const bad = await http().get(`/api/v1/workspaces/${wsA}/analysis/usage/users`).query({ cursor: 'not-a-cursor' }).set(owner.auth).expect(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    });

    it('a member reads only their own (me), not everyone\'s; a viewer reads their own too', async () => {
      await http().get(`/api/v1/workspaces/${wsA}/analysis/usage/users`).set(colleague.auth).expect(403);
      const me = await http().get(`/api/v1/workspaces/${wsA}/analysis/usage/me`).query(window()).set(colleague.auth).expect(200);
      expect(me.body.items).toEqual([expect.objectContaining({ userId: colleague.userId, date: today(), aiQueries: 1, aiTokensUsed: tokensOf(colleague.userId) })]);
      expect(me.body.totals).toEqual({ aiQueries: 1, aiTokensUsed: tokensOf(colleague.userId), users: 1 });
      const viewers = await http().get(`/api/v1/workspaces/${wsA}/analysis/usage/me`).query(window()).set(viewer.auth).expect(200);
      expect(viewers.body.items.map((i: { userId: string }) => i.userId)).toEqual([viewer.userId]);
      // B's owner asked nothing in B.
      const none = await http().get(`/api/v1/workspaces/${wsB}/analysis/usage/me`).set(ownerOfB.auth).expect(200);
      expect(none.body).toMatchObject({ items: [], totals: { aiQueries: 0, aiTokensUsed: 0, users: 0 }, nextCursor: null });
    });
  });

  describe('the admin report across workspaces', () => {
    it('is for superusers only', async () => {
      await http().get('/api/v1/admin/analysis/usage').expect(401);
      await http().get('/api/v1/admin/analysis/usage').set(owner.auth).expect(403);
    });

    it('groups by workspace among the other keys, with the budgets\' standing; bad keys are a 400', async () => {
      const res = await http().get('/api/v1/admin/analysis/usage').query({ ...window(), groupBy: 'workspace,model' }).set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(res.body.rows).toContainEqual(expect.objectContaining({ workspace: wsA, model: 'fake-model', calls: asked.length }));
      expect(res.body.rows.filter((r: { workspace: string; model: string }) => r.workspace === wsB && r.model === 'fake-model')).toEqual([]);
      // A's budget was removed: no standing listed for it.
      expect(res.body.budgets.items.filter((b: { workspaceId: string }) => b.workspaceId === wsA)).toEqual([]);
      const one = await http().get('/api/v1/admin/analysis/usage').query({ ...window(), workspaceId: wsA, groupBy: 'workspace' }).set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(one.body.rows.map((r: { workspace: string }) => r.workspace)).toEqual([wsA]);
      expect(one.body.totals.calls).toBe(one.body.rows[0].calls);
      const bad = await http().get('/api/v1/admin/analysis/usage').query({ groupBy: 'tenant' }).set('Authorization', `Bearer ${TOKEN}`).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    });
  });
});
