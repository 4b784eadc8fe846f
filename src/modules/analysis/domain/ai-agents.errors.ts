import { ApplicationError } from '@libs/common/errors/application-error';

/** Refusals of the AI agents part of analysis (agents, executions, classification experiments). */
export enum AiAgentsErrorCode {
  ExperimentNotFound = 'ANALYSIS.EXPERIMENT_NOT_FOUND',
  AgentNotFound = 'ANALYSIS.AGENT_NOT_FOUND',
  /** An agent is a person's: an API key or the operator token cannot own one. */
  AgentNeedsAPerson = 'ANALYSIS.AGENT_NEEDS_A_PERSON',
  ExecutionNotFound = 'ANALYSIS.EXECUTION_NOT_FOUND',
  AgentNameTaken = 'ANALYSIS.AGENT_NAME_TAKEN',
  AgentInactive = 'ANALYSIS.AGENT_INACTIVE',
  AgentStaleVersion = 'ANALYSIS.AGENT_STALE_VERSION',
  /** The provider is not the workspace's, or inactive. */
  ProviderNotAvailable = 'ANALYSIS.PROVIDER_NOT_AVAILABLE',
  /** A message id of an experiment is not a message of the workspace. */
  MessageNotFound = 'ANALYSIS.MESSAGE_NOT_FOUND',
  /** The label set cannot classify these messages (fewer than two labels, an expected label outside it). */
  LabelSetInvalid = 'ANALYSIS.LABEL_SET_INVALID',
  /** The workspace's LLM budget for the period is spent: a provider's model is not called. */
  BudgetExceeded = 'ANALYSIS.AGENT_BUDGET_EXCEEDED',
  /** Only completed experiments can be compared. */
  ExperimentNotCompleted = 'ANALYSIS.EXPERIMENT_NOT_COMPLETED',
  /** A command the aggregate's current status does not allow (e.g. completing a failed experiment). */
  InvalidTransition = 'ANALYSIS.INVALID_TRANSITION',
}

export class AiAgentsError extends ApplicationError {
  constructor(
    readonly code: AiAgentsErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
