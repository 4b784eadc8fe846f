import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { LlmBudgetEvent } from '@modules/analysis/domain/llm-budget/llm-budget.decider';
import { LlmBudgetsProjection } from '@modules/analysis/projections/llm-budgets.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const workspaceId = '0193a000-0000-7000-8000-0000000000c1';
const at = '2026-11-02T10:00:00.000Z';
const later = '2026-11-20T09:30:00.000Z';
const set = (monthlyLimitUsd: number, when = at): LlmBudgetEvent => ({ type: 'analysis.llm-budget-set', data: { workspaceId, monthlyLimitUsd, at: when } });
const columns = ['workspace_id', 'monthly_limit_usd::float8 AS monthly_limit_usd', 'stream_version', 'updated_by', 'created_at', 'updated_at'];

describe('LlmBudgetsProjection (analysis_llm_budgets_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<LlmBudgetEvent>(new LlmBudgetsProjection(), () => db.pool, { columns, actorId: 'admin-1', streamId: `analysis-budget-${workspaceId}` });

  it('keeps the current limit with its version and who set it; a change keeps when it was first set', async () => {
    await spec.given([]).when([set(25)]).then([{ workspace_id: workspaceId, monthly_limit_usd: 25, stream_version: 1, updated_by: 'admin-1', created_at: at, updated_at: at }]);
    await spec
      .given([set(25)])
      .when([set(12.5, later)])
      .then([{ workspace_id: workspaceId, monthly_limit_usd: 12.5, stream_version: 2, updated_by: 'admin-1', created_at: at, updated_at: later }]);
  });

  it('a removed budget has no limit but keeps its version (the next If-Match names it); set again, it has one', async () => {
    const removed: LlmBudgetEvent = { type: 'analysis.llm-budget-removed', data: { workspaceId, at: later } };
    await spec.given([set(25)]).when([removed]).then([{ workspace_id: workspaceId, monthly_limit_usd: null, stream_version: 2, updated_by: 'admin-1', created_at: at, updated_at: later }]);
    await spec.given([set(25), removed]).when([set(40, later)]).then([{ workspace_id: workspaceId, monthly_limit_usd: 40, stream_version: 3, updated_by: 'admin-1', created_at: at, updated_at: later }]);
  });
});
