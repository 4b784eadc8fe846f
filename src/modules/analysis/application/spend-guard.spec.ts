import { ModuleRef } from '@nestjs/core';
import { BudgetStatus, LlmBudgets } from '@modules/analysis/application/analysis-models';
import { AiAgentsError } from '@modules/analysis/domain/ai-agents.errors';
import { SpendGuard } from './spend-guard';

const refWith = (budgets: LlmBudgets | null) =>
  ({
    get: () => {
      if (!budgets) throw new Error('Nest could not find LlmBudgets element');
      return budgets;
    },
  }) as unknown as ModuleRef;

const budgetOf = (status: BudgetStatus): LlmBudgets => ({ status: async () => status }) as LlmBudgets;

describe('SpendGuard', () => {
  it('lets a call through under the budget, or with no budget bound', async () => {
    await expect(new SpendGuard(refWith(budgetOf({ limitUsd: 10, spentUsd: 2, periodStart: '2026-12-01', exceeded: false }))).check('ws')).resolves.toBeUndefined();
    await expect(new SpendGuard(refWith(null)).check('ws')).resolves.toBeUndefined();
  });

  it('refuses with the spend, the limit and the period once the budget is spent', async () => {
    const guard = new SpendGuard(refWith(budgetOf({ limitUsd: 5, spentUsd: 5.25, periodStart: '2026-12-01', exceeded: true })));
    const err = await guard.check('ws').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AiAgentsError);
    expect(err).toMatchObject({ code: 'ANALYSIS.AGENT_BUDGET_EXCEEDED', details: { limitUsd: 5, spentUsd: 5.25, periodStart: '2026-12-01' } });
    // The message (a failed run's error, read by viewers) names the period, not the amounts.
    expect((err as Error).message).toBe("The workspace's LLM budget for the period since 2026-12-01 is spent (ANALYSIS.AGENT_BUDGET_EXCEEDED); the model was not called");
  });
});
