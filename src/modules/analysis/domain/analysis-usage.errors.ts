import { ApplicationError } from '@libs/common/errors/application-error';

/** Refusals of the usage part of analysis (reports, budgets, per-user usage). */
export enum AnalysisUsageErrorCode {
  /** A monthly limit that is negative, not a number, or absurdly large. */
  BudgetLimitInvalid = 'ANALYSIS.BUDGET_LIMIT_INVALID',
  /** If-Match named a budget version the stream has moved past. */
  BudgetStaleVersion = 'ANALYSIS.BUDGET_STALE_VERSION',
  /** Per-user usage of "me" needs a signed-in person (an API key or the operator token is none). */
  UsageNeedsAUser = 'ANALYSIS.USAGE_NEEDS_A_USER',
}

export class AnalysisUsageError extends ApplicationError {
  constructor(
    readonly code: AnalysisUsageErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
