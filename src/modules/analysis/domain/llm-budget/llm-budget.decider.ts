import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { AnalysisUsageError, AnalysisUsageErrorCode as Code } from '@modules/analysis/domain/analysis-usage.errors';

/** Above any real monthly LLM bill: a limit past it is a typo, not a budget. */
export const MAX_MONTHLY_LIMIT_USD = 1_000_000_000;

/**
 * A workspace's LLM budget: a monthly (UTC calendar month) limit in USD on what its model calls
 * may cost. One stream per workspace (`analysis-budget-<workspaceId>`). The spend itself is not
 * here: it is measured in llm_usage_logs, and LlmBudgets compares the two.
 */
export type LlmBudgetEvent =
  | { type: 'analysis.llm-budget-set'; data: { workspaceId: string; monthlyLimitUsd: number; at: string } }
  | { type: 'analysis.llm-budget-removed'; data: { workspaceId: string; at: string } };

export type LlmBudgetState = { status: 'none' } | { status: 'set'; monthlyLimitUsd: number };

export type LlmBudgetCommand = { kind: 'set'; workspaceId: string; monthlyLimitUsd: number; now: Date } | { kind: 'remove'; workspaceId: string; now: Date };

/** A limit in whole cents or finer (4 decimals, the column's scale), 0 to MAX_MONTHLY_LIMIT_USD. */
export function checkMonthlyLimit(limit: number): number {
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0 || limit > MAX_MONTHLY_LIMIT_USD) {
    throw new AnalysisUsageError(Code.BudgetLimitInvalid, `The monthly limit must be a number of USD from 0 to ${MAX_MONTHLY_LIMIT_USD}`, { monthlyLimitUsd: limit });
  }
  return Math.round(limit * 10_000) / 10_000;
}

export const llmBudgetDecider: Decider<LlmBudgetCommand, LlmBudgetState, LlmBudgetEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (_s, e) => {
    switch (e.type) {
      case 'analysis.llm-budget-set':
        return { status: 'set', monthlyLimitUsd: e.data.monthlyLimitUsd };
      case 'analysis.llm-budget-removed':
        return { status: 'none' };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'set': {
        const monthlyLimitUsd = checkMonthlyLimit(c.monthlyLimitUsd);
        // The same limit again is no change: no event, so a retried PUT leaves one entry in the history.
        if (s.status === 'set' && s.monthlyLimitUsd === monthlyLimitUsd) return [];
        return { type: 'analysis.llm-budget-set', data: { workspaceId: c.workspaceId, monthlyLimitUsd, at } };
      }
      case 'remove':
        return s.status === 'set' ? { type: 'analysis.llm-budget-removed', data: { workspaceId: c.workspaceId, at } } : [];
      default:
        return assertNever(c);
    }
  },
};
