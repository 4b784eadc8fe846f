import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { AnalysisUsageError, AnalysisUsageErrorCode } from '@modules/analysis/domain/analysis-usage.errors';
import { LlmBudgetEvent, llmBudgetDecider, MAX_MONTHLY_LIMIT_USD } from './llm-budget.decider';
import { budgetPeriodOf, isOverBudget } from './budget-period';

const spec = DeciderSpecification(llmBudgetDecider);
const now = new Date('2026-12-03T10:00:00Z');
const at = now.toISOString();
const workspaceId = 'w';
const set = (monthlyLimitUsd: number): LlmBudgetEvent => ({ type: 'analysis.llm-budget-set', data: { workspaceId, monthlyLimitUsd, at } });
const removed: LlmBudgetEvent = { type: 'analysis.llm-budget-removed', data: { workspaceId, at } };

describe('LLM budget decider: a monthly USD limit per workspace', () => {
  it('sets a limit, changes it, and records nothing when the same limit is set again', () => {
    spec.given([]).when({ kind: 'set', workspaceId, monthlyLimitUsd: 25, now }).then([set(25)]);
    spec.given([set(25)]).when({ kind: 'set', workspaceId, monthlyLimitUsd: 40, now }).then([set(40)]);
    spec.given([set(25)]).when({ kind: 'set', workspaceId, monthlyLimitUsd: 25, now }).thenNothingHappened();
  });

  it('keeps a limit to the column scale (4 decimals), so a tiny float difference is no change', () => {
    spec.given([]).when({ kind: 'set', workspaceId, monthlyLimitUsd: 0.123456, now }).then([set(0.1235)]);
    spec.given([set(0.1235)]).when({ kind: 'set', workspaceId, monthlyLimitUsd: 0.12349, now }).thenNothingHappened();
  });

  it('a limit of 0 is a budget (nothing paid may be spent); negative, not finite or absurd limits are refused', () => {
    spec.given([]).when({ kind: 'set', workspaceId, monthlyLimitUsd: 0, now }).then([set(0)]);
    for (const bad of [-0.01, Number.NaN, Number.POSITIVE_INFINITY, MAX_MONTHLY_LIMIT_USD + 1]) {
      spec.given([]).when({ kind: 'set', workspaceId, monthlyLimitUsd: bad, now }).thenThrows(AnalysisUsageError, (e: AnalysisUsageError) => expect(e.code).toBe(AnalysisUsageErrorCode.BudgetLimitInvalid));
    }
  });

  it('removes a budget once; removing none is nothing', () => {
    spec.given([set(25)]).when({ kind: 'remove', workspaceId, now }).then([removed]);
    spec.given([set(25), removed]).when({ kind: 'remove', workspaceId, now }).thenNothingHappened();
    spec.given([]).when({ kind: 'remove', workspaceId, now }).thenNothingHappened();
    spec.given([set(25), removed]).when({ kind: 'set', workspaceId, monthlyLimitUsd: 25, now }).then([set(25)]);
  });
});

describe('budget period and status', () => {
  it('is the UTC calendar month of the instant, whatever the hour or the year end', () => {
    expect(budgetPeriodOf(new Date('2026-12-31T23:59:59.999Z'))).toEqual({ start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
    expect(budgetPeriodOf(new Date('2027-01-01T00:00:00Z'))).toEqual({ start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-02-01T00:00:00Z') });
    // 23:30 on Feb 28 in New York is already March 1 in UTC: the March budget.
    expect(budgetPeriodOf(new Date('2026-02-28T23:30:00-05:00')).start).toEqual(new Date('2026-03-01T00:00:00Z'));
  });

  it('is exceeded once the spend passes the limit, not when it reaches it; no limit is never exceeded', () => {
    expect(isOverBudget(null, 1e6)).toBe(false);
    expect(isOverBudget(1, 0.999)).toBe(false);
    expect(isOverBudget(1, 1)).toBe(false);
    expect(isOverBudget(1, 1.000001)).toBe(true);
    // Float sums that equal the limit to the nano-dollar are not over it.
    expect(isOverBudget(0.3, 0.1 + 0.2)).toBe(false);
    expect(isOverBudget(0, 0)).toBe(false);
    expect(isOverBudget(0, 0.00001)).toBe(true);
  });
});
