import { AnalysisUsageErrorCode as Code } from '@modules/analysis/domain/analysis-usage.errors';

/** Every refusal of the usage part, as HTTP (exhaustive). */
export const analysisUsageErrorStatuses: Record<Code, number> = {
  [Code.BudgetLimitInvalid]: 400,
  [Code.BudgetStaleVersion]: 412,
  [Code.UsageNeedsAUser]: 403,
};
