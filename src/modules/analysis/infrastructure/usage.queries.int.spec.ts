import { LlmUsage, LlmUsageMeter } from '@libs/ai/metering/llm-usage-meter';
import { PriceTable } from '@libs/ai/metering/price-table';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { UsageQueries } from './usage.queries';

const A = '0193a000-0000-7000-8000-00000000a0a1';
const B = '0193a000-0000-7000-8000-00000000a0b1';
const U1 = '0193a000-0000-7000-8000-00000000a0e1';
const U2 = '0193a000-0000-7000-8000-00000000a0e2';
const U3 = '0193a000-0000-7000-8000-00000000a0e3';
const prices = new PriceTable();

interface Call {
  /** Unique per call: the row is found by it to set its time (the meter stamps now()). */
  node: string;
  at: string;
  workspaceId: string | null;
  workflow: string;
  model: string;
  operation?: 'chat' | 'embedding';
  error?: boolean;
  prompt?: number;
  completion?: number;
  userId?: string;
}

const calls: Call[] = [
  { node: 'a1', at: '2026-11-02T10:00:00Z', workspaceId: A, workflow: 'knowledge.ask', model: 'gpt-4o-mini', prompt: 1000, completion: 200, userId: U1 },
  { node: 'a2', at: '2026-11-02T23:59:59Z', workspaceId: A, workflow: 'analysis.run', model: 'gpt-4o-mini', error: true },
  // Midnight: the first instant of Nov 3 (UTC), outside a range that ends there.
  { node: 'a3', at: '2026-11-03T00:00:00Z', workspaceId: A, workflow: 'knowledge.embed-chunks', model: 'text-embedding-3-small', operation: 'embedding', prompt: 5000 },
  { node: 'a4', at: '2026-11-03T12:00:00Z', workspaceId: A, workflow: 'knowledge.ask', model: 'gpt-4o-mini', prompt: 2000, completion: 300, userId: U2 },
  { node: 'a5', at: '2026-11-03T13:00:00Z', workspaceId: A, workflow: 'knowledge.ask', model: 'gpt-4o-mini', prompt: 500, completion: 100, userId: U1 },
  // The user's question embedded: tokens, not a query.
  { node: 'a6', at: '2026-11-03T13:00:01Z', workspaceId: A, workflow: 'knowledge.search', model: 'text-embedding-3-small', operation: 'embedding', prompt: 40, userId: U2 },
  { node: 'b1', at: '2026-11-02T09:00:00Z', workspaceId: B, workflow: 'knowledge.ask', model: 'gpt-4o', prompt: 800, completion: 80, userId: U3 },
  // A provider check for no workspace (admins only see it).
  { node: 'n1', at: '2026-11-02T08:00:00Z', workspaceId: null, workflow: 'analysis.provider-check', model: 'gpt-4o', prompt: 5, completion: 1 },
];

const usageOf = (c: Call): LlmUsage => ({
  ctx: { workspaceId: c.workspaceId, workflow: c.workflow, node: c.node, userId: c.userId },
  provider: 'openai',
  model: c.model,
  operation: c.operation ?? 'chat',
  status: c.error ? 'error' : 'ok',
  errorKind: c.error ? 'timeout' : null,
  usage: { promptTokens: c.prompt ?? 0, completionTokens: c.completion ?? 0, totalTokens: (c.prompt ?? 0) + (c.completion ?? 0) },
  latencyMs: 100,
});
const cost = (...nodes: string[]) =>
  nodes.map((n) => calls.find((c) => c.node === n)!).reduce((sum, c) => sum + (c.error ? 0 : prices.costOf(c.model, { promptTokens: c.prompt ?? 0, completionTokens: c.completion ?? 0 })), 0);
const range = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });

describe('UsageQueries on llm_usage_logs written by the real meter', () => {
  let db: TestDatabase;
  let meter: LlmUsageMeter;
  let queries: UsageQueries;

  const record = async (c: Call) => {
    await meter.record(usageOf(c));
    await db.pool.query(`UPDATE llm_usage_logs SET created_at = $2 WHERE node_name = $1`, [c.node, c.at]);
  };

  beforeAll(async () => {
    db = await createTestDatabase(4);
    meter = new LlmUsageMeter(db.pool, prices);
    queries = new UsageQueries(db.pool);
    for (const c of calls) await record(c);
  });
  afterAll(async () => db?.close());

  describe('report', () => {
    it('sums per UTC day and model, with totals; errors are calls too; other workspaces are not in it', async () => {
      const r = await queries.report(A, range('2026-11-02T00:00:00Z', '2026-11-04T00:00:00Z'), ['day', 'model']);
      expect(r!.rows.map((x) => ({ ...x, costUsd: Number(x.costUsd.toFixed(12)) }))).toEqual([
        { day: '2026-11-02', model: 'gpt-4o-mini', calls: 2, errors: 1, promptTokens: 1000, completionTokens: 200, totalTokens: 1200, costUsd: Number(cost('a1').toFixed(12)), avgLatencyMs: 100 },
        { day: '2026-11-03', model: 'gpt-4o-mini', calls: 2, errors: 0, promptTokens: 2500, completionTokens: 400, totalTokens: 2900, costUsd: Number(cost('a4', 'a5').toFixed(12)), avgLatencyMs: 100 },
        { day: '2026-11-03', model: 'text-embedding-3-small', calls: 2, errors: 0, promptTokens: 5040, completionTokens: 0, totalTokens: 5040, costUsd: Number(cost('a3', 'a6').toFixed(12)), avgLatencyMs: 100 },
      ]);
      expect(r!.totals).toMatchObject({ calls: 6, errors: 1, promptTokens: 8540, completionTokens: 600, totalTokens: 9140 });
      expect(r!.totals.costUsd).toBeCloseTo(cost('a1', 'a2', 'a3', 'a4', 'a5', 'a6'), 12);
    });

    it('per workflow, over a half-open range: a call at the `to` instant is not in it', async () => {
      const r = await queries.report(A, range('2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z'), ['workflow']);
      expect(r!.rows.map((x) => [x.workflow, x.calls, x.errors, x.totalTokens])).toEqual([
        ['analysis.run', 1, 1, 0],
        ['knowledge.ask', 1, 0, 1200],
      ]);
      expect(r!.totals.calls).toBe(2);
    });

    it('totals only without keys; zeros, not nulls, for a range with no calls', async () => {
      expect((await queries.report(A, range('2026-11-02T00:00:00Z', '2026-11-04T00:00:00Z'), []))!).toEqual({ totals: expect.objectContaining({ calls: 6, totalTokens: 9140 }), rows: [] });
      expect(await queries.report(A, range('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'), ['day', 'provider'])).toEqual({
        totals: { calls: 0, errors: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, avgLatencyMs: 0 },
        rows: [],
      });
    });

    it('across workspaces for the admin: workspace is a key, calls for no workspace included (null first)', async () => {
      const r = await queries.report(null, range('2026-11-02T00:00:00Z', '2026-11-04T00:00:00Z'), ['workspace', 'provider']);
      expect(r!.rows.map((x) => [x.workspace, x.provider, x.calls])).toEqual([
        [null, 'openai', 1],
        [A, 'openai', 6],
        [B, 'openai', 1],
      ]);
      expect(r!.totals.calls).toBe(8);
    });

    it('sums what the month costs for a budget (one workspace, [start, end))', async () => {
      expect(await queries.spentUsd(A, new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'))).toBeCloseTo(cost('a1', 'a3', 'a4', 'a5', 'a6'), 9);
      expect(await queries.spentUsd(A, new Date('2026-10-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'))).toBe(0);
    });
  });

  describe('usage per user per day (analysis_user_analytics)', () => {
    const days = { firstDay: '2026-11-02', lastDay: '2026-11-03' };
    const refreshNov = () => queries.refreshUserAnalytics(A, new Date('2026-11-02T00:00:00Z'), new Date('2026-11-04T00:00:00Z'));

    it('counts chat calls as queries and every call\'s tokens, per user and UTC day; calls for nobody are not anyone\'s', async () => {
      await refreshNov();
      const page = await queries.userUsage({ workspaceId: A, userId: null, ...days, limit: 50 });
      expect(page.items.map((x) => [x.date, x.userId, x.aiQueries, x.aiTokensUsed])).toEqual(
        [
          ['2026-11-02', U1, 1, 1200],
          ['2026-11-03', U1, 1, 600],
          ['2026-11-03', U2, 1, 2340],
        ].sort((x, y) => `${x[0]}${x[1]}`.localeCompare(`${y[0]}${y[1]}`)),
      );
      expect(page.items[0]).toMatchObject({ emailsReceived: 0, emailsSent: 0, contactsAdded: 0, activeTimeSeconds: 0 });
      expect(await queries.userUsageTotals({ workspaceId: A, userId: null, ...days })).toEqual({ aiQueries: 3, aiTokensUsed: 4140, users: 2 });
      expect(await queries.userUsageTotals({ workspaceId: A, userId: U1, ...days })).toEqual({ aiQueries: 2, aiTokensUsed: 1800, users: 1 });
    });

    it('a refresh is idempotent (a second one changes no row), and a later call of the same day is counted by the next one', async () => {
      await refreshNov();
      expect(await refreshNov()).toBe(0);
      await record({ node: 'a7', at: '2026-11-03T18:00:00Z', workspaceId: A, workflow: 'knowledge.ask', model: 'gpt-4o-mini', prompt: 100, completion: 10, userId: U1 });
      expect(await refreshNov()).toBe(1);
      const mine = await queries.userUsage({ workspaceId: A, userId: U1, ...days, limit: 50 });
      expect(mine.items.map((x) => [x.date, x.aiQueries, x.aiTokensUsed])).toEqual([
        ['2026-11-02', 1, 1200],
        ['2026-11-03', 2, 710],
      ]);
      // One row per user and day, whatever the number of refreshes.
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM analysis_user_analytics WHERE workspace_id = $1`, [A]);
      expect(rows[0].n).toBe(3);
    });

    it('pages by (day, user) with an opaque cursor; another workspace\'s users are not listed', async () => {
      await refreshNov();
      const first = await queries.userUsage({ workspaceId: A, userId: null, ...days, limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await queries.userUsage({ workspaceId: A, userId: null, ...days, limit: 2, cursor: first.nextCursor! });
      expect(second).toEqual({ items: [expect.objectContaining({ date: '2026-11-03' })], nextCursor: null });
      const all = [...first.items, ...second.items].map((x) => `${x.date} ${x.userId}`);
      expect(new Set(all).size).toBe(3);
      expect(all).not.toContainEqual(expect.stringContaining(U3));
      await queries.refreshUserAnalytics(B, new Date('2026-11-02T00:00:00Z'), new Date('2026-11-04T00:00:00Z'));
      expect((await queries.userUsage({ workspaceId: B, userId: null, ...days, limit: 50 })).items.map((x) => x.userId)).toEqual([U3]);
    });

    it('a rebuild over every day gives the rows the refreshes gave', async () => {
      const before = (await db.pool.query(`SELECT workspace_id, user_id, date::text, ai_queries, ai_tokens_used FROM analysis_user_analytics ORDER BY 1, 2, 3`)).rows;
      await db.pool.query(`DELETE FROM analysis_user_analytics`);
      await queries.refreshUserAnalytics(null, new Date(0), new Date('2027-01-01T00:00:00Z'));
      const after = (await db.pool.query(`SELECT workspace_id, user_id, date::text, ai_queries, ai_tokens_used FROM analysis_user_analytics ORDER BY 1, 2, 3`)).rows;
      expect(after).toEqual(before);
      expect(after.length).toBe(4);
    });
  });
});
