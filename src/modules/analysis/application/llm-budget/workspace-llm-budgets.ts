import { Injectable, Optional } from '@nestjs/common';
import { LlmUsageMeter } from '@libs/ai/metering/llm-usage-meter';
import { BudgetStatus, LlmBudgets } from '@modules/analysis/application/analysis-models';
import { budgetPeriodOf, isOverBudget } from '@modules/analysis/domain/llm-budget/budget-period';
import { UsageQueries } from '@modules/analysis/infrastructure/usage.queries';

/**
 * LlmBudgets: the workspace's monthly limit (analysis_llm_budgets_view) against what its model
 * calls cost this UTC month (llm_usage_logs). Anything that spends tokens asks before it does
 * (an analysis run before each batch).
 */
@Injectable()
export class WorkspaceLlmBudgets extends LlmBudgets {
  constructor(
    private readonly queries: UsageQueries,
    // The meter writes its rows after the call answers: waiting for them counts the call just made.
    @Optional() private readonly meter?: LlmUsageMeter,
  ) {
    super();
  }

  async status(workspaceId: string, now: Date = new Date()): Promise<BudgetStatus> {
    await this.meter?.recorded();
    const period = budgetPeriodOf(now);
    const [budget, spentUsd] = await Promise.all([this.queries.budget(workspaceId), this.queries.spentUsd(workspaceId, period.start, period.end)]);
    const limitUsd = budget && budget.monthly_limit_usd !== null ? Number(budget.monthly_limit_usd) : null;
    return { limitUsd, spentUsd, periodStart: period.start.toISOString(), exceeded: isOverBudget(limitUsd, spentUsd) };
  }
}
