import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LlmBudgets } from '@modules/analysis/application/analysis-models';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';

/**
 * "Anything that spends tokens checks the budget first" (analysis-models.ts): experiments and
 * executions ask it before calling a provider's model (the built-in one costs nothing). LlmBudgets
 * is the usage part's; it is looked up across modules when first needed, so this part does not
 * depend on how that module is wired, and with no LlmBudgets bound there is no limit to keep.
 */
@Injectable()
export class SpendGuard {
  private budgets?: LlmBudgets | null;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Throws ANALYSIS.AGENT_BUDGET_EXCEEDED when the workspace's budget for the period is spent. */
  async check(workspaceId: string): Promise<void> {
    const budgets = this.lookup();
    if (!budgets) return;
    const status = await budgets.status(workspaceId);
    if (!status.exceeded) return;
    throw new AiAgentsError(
      Code.BudgetExceeded,
      // The message becomes a failed run's error, which viewers read; the amounts are for those who read the budget (details).
      `The workspace's LLM budget for the period since ${status.periodStart} is spent (${Code.BudgetExceeded}); the model was not called`,
      { limitUsd: status.limitUsd, spentUsd: status.spentUsd, periodStart: status.periodStart },
    );
  }

  private lookup(): LlmBudgets | null {
    if (this.budgets === undefined) {
      try {
        this.budgets = this.moduleRef.get(LlmBudgets, { strict: false });
      } catch {
        this.budgets = null;
      }
    }
    return this.budgets;
  }
}
