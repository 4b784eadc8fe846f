import { ApplicationError } from '@libs/common/errors/application-error';

/** Refusals of runs, proposals and tasks (mapped to HTTP in infrastructure/analysis-runs.errors.http.ts). */
export enum AnalysisRunsErrorCode {
  RunNotFound = 'ANALYSIS.RUN_NOT_FOUND',
  /** The run is not in a state that allows the command (e.g. close before reviewed, cancel once completed). */
  RunTransitionRefused = 'ANALYSIS.RUN_TRANSITION_REFUSED',
  InvalidWindow = 'ANALYSIS.INVALID_WINDOW',
  AssignmentNotFound = 'ANALYSIS.ASSIGNMENT_NOT_FOUND',
  ProjectConfigNotFound = 'ANALYSIS.PROJECT_CONFIG_NOT_FOUND',
  ProposalNotFound = 'ANALYSIS.PROPOSAL_NOT_FOUND',
  ProposalAlreadyReviewed = 'ANALYSIS.PROPOSAL_ALREADY_REVIEWED',
  TaskNotFound = 'ANALYSIS.TASK_NOT_FOUND',
  StaleVersion = 'ANALYSIS.STALE_VERSION',
  BatchAlreadyRecorded = 'ANALYSIS.BATCH_ALREADY_RECORDED',
}

export class AnalysisRunsError extends ApplicationError {
  constructor(
    readonly code: AnalysisRunsErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/** Why a run stopped as failed, or why a batch failed (error_log entries). Stable, for clients. */
export const RUN_FAILURE_CODES = {
  budgetExceeded: 'BUDGET_EXCEEDED',
  allBatchesFailed: 'ALL_BATCHES_FAILED',
  assignmentUnavailable: 'ASSIGNMENT_UNAVAILABLE',
  modelUnavailable: 'MODEL_UNAVAILABLE',
  planningFailed: 'PLANNING_FAILED',
} as const;

export const BATCH_FAILURE_CODES = {
  invalidAnswer: 'INVALID_ANSWER',
  providerUnavailable: 'PROVIDER_UNAVAILABLE',
  providerTimeout: 'PROVIDER_TIMEOUT',
  providerRefused: 'PROVIDER_REFUSED',
} as const;
