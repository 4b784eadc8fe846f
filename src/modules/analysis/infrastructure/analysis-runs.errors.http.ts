import { AnalysisRunsErrorCode as Code } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';

/** Every refusal of runs, proposals and tasks as an HTTP status (exhaustive). */
export const analysisRunsErrorStatuses: Record<Code, number> = {
  [Code.RunNotFound]: 404,
  [Code.RunTransitionRefused]: 422,
  [Code.InvalidWindow]: 400,
  [Code.AssignmentNotFound]: 404,
  [Code.ProjectConfigNotFound]: 404,
  [Code.ProposalNotFound]: 404,
  [Code.ProposalAlreadyReviewed]: 409,
  [Code.TaskNotFound]: 404,
  // RFC 9110: a failed If-Match is 412 Precondition Failed (as configuration, budgets, agents).
  [Code.StaleVersion]: 412,
  [Code.BatchAlreadyRecorded]: 409,
};
