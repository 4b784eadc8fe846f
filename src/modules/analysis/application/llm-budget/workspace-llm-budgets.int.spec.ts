import { LlmUsageMeter } from '@libs/ai/metering/llm-usage-meter';
import { PriceTable } from '@libs/ai/metering/price-table';
import { UsageQueries } from '@modules/analysis/infrastructure/usage.queries';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { WorkspaceLlmBudgets } from './workspace-llm-budgets';

const WS = '0193a000-0000-7000-8000-00000000b0d1';
const OTHER = '0193a000-0000-7000-8000-00000000b0d2';
// 1 USD per 1M prompt tokens, 2 per 1M completion tokens: 100k prompt + 50k completion = 0.2 USD.
const prices = new PriceTable({ 'budget-model': { prompt: 1, completion: 2 } });
const NOW = new Date();

describe('WorkspaceLlmBudgets: the monthly limit against this month\'s metered spend', () => {
  let db: TestDatabase;
  let meter: LlmUsageMeter;
  let budgets: WorkspaceLlmBudgets;

  beforeAll(async () => {
    db = await createTestDatabase(4);
    meter = new LlmUsageMeter(db.pool, prices);
    budgets = new WorkspaceLlmBudgets(new UsageQueries(db.pool), meter);
  });
  afterAll(async () => db?.close());

  /** A call of 0.2 USD, recorded by the real meter (not awaited: status() must wait for it). */
  const spend = (workspaceId: string, workflow = 'analysis.run') =>
    void meter.record({
      ctx: { workspaceId, workflow, node: 'batch' },
      provider: 'openai',
      model: 'budget-model',
      operation: 'chat',
      status: 'ok',
      usage: { promptTokens: 100_000, completionTokens: 50_000, totalTokens: 150_000 },
      latencyMs: 100,
    });
  const setLimit = (workspaceId: string, limit: number | null) =>
    db.pool.query(
      `INSERT INTO analysis_llm_budgets_view (workspace_id, monthly_limit_usd, stream_version, updated_by, created_at, updated_at) VALUES ($1, $2, 1, 'test', now(), now())
       ON CONFLICT (workspace_id) DO UPDATE SET monthly_limit_usd = EXCLUDED.monthly_limit_usd`,
      [workspaceId, limit],
    );

  it('has no limit and is never exceeded without a budget; the period is the UTC month', async () => {
    spend(WS);
    const s = await budgets.status(WS, NOW);
    expect(s).toEqual({ limitUsd: null, spentUsd: 0.2, periodStart: new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), 1)).toISOString(), exceeded: false });
  });

  it('is not exceeded at the limit, and is once the spend passes it (counting the call just made)', async () => {
    await setLimit(WS, 0.4);
    spend(WS);
    expect(await budgets.status(WS, NOW)).toMatchObject({ limitUsd: 0.4, spentUsd: 0.4, exceeded: false });
    spend(WS, 'knowledge.ask');
    expect(await budgets.status(WS, NOW)).toMatchObject({ limitUsd: 0.4, spentUsd: 0.6, exceeded: true });
    // Another workspace's spend and budget are its own.
    expect(await budgets.status(OTHER, NOW)).toMatchObject({ limitUsd: null, spentUsd: 0, exceeded: false });
  });

  it('counts only the month of `now`: last month\'s calls do not count against this month', async () => {
    await meter.flush();
    const lastMonth = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() - 1, 15));
    // Spend of last month: rows moved back in time (the meter stamps now()).
    await db.pool.query(`UPDATE llm_usage_logs SET created_at = $2 WHERE workspace_id = $1 AND workflow_name = 'knowledge.ask'`, [WS, lastMonth.toISOString()]);
    expect(await budgets.status(WS, NOW)).toMatchObject({ spentUsd: 0.4, exceeded: false });
    expect(await budgets.status(WS, lastMonth)).toMatchObject({ spentUsd: 0.2, exceeded: false, periodStart: new Date(Date.UTC(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth(), 1)).toISOString() });
  });

  it('a limit of 0 lets free calls through and stops paid ones; a removed limit (null) is no budget', async () => {
    await setLimit(OTHER, 0);
    void meter.record({ ctx: { workspaceId: OTHER, workflow: 'analysis.run', node: 'batch' }, provider: 'offline', model: 'offline-extractive-v1', operation: 'chat', status: 'ok', usage: { promptTokens: 500, completionTokens: 50, totalTokens: 550 }, latencyMs: 3 });
    expect(await budgets.status(OTHER, NOW)).toMatchObject({ limitUsd: 0, spentUsd: 0, exceeded: false });
    spend(OTHER);
    expect(await budgets.status(OTHER, NOW)).toMatchObject({ limitUsd: 0, spentUsd: 0.2, exceeded: true });
    await setLimit(OTHER, null);
    expect(await budgets.status(OTHER, NOW)).toMatchObject({ limitUsd: null, exceeded: false });
  });
});
