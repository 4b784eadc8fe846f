import { ApplicationError } from '@libs/common/errors/application-error';

/** Refusals of analysis configuration (providers, agent and task configs, assignments, project configs). */
export enum AnalysisConfigurationErrorCode {
  ProviderNotFound = 'ANALYSIS.PROVIDER_NOT_FOUND',
  AgentConfigNotFound = 'ANALYSIS.AGENT_CONFIG_NOT_FOUND',
  TaskConfigNotFound = 'ANALYSIS.TASK_CONFIG_NOT_FOUND',
  AssignmentNotFound = 'ANALYSIS.ASSIGNMENT_NOT_FOUND',
  ProjectConfigNotFound = 'ANALYSIS.PROJECT_CONFIG_NOT_FOUND',
  /** A provider, agent config, task config or project config of this name exists in the workspace. */
  NameTaken = 'ANALYSIS.NAME_TAKEN',
  /** The agent is already assigned to the task. */
  AssignmentExists = 'ANALYSIS.ASSIGNMENT_EXISTS',
  /** Deleting something other configuration still uses (a provider of an agent, an agent or task of an assignment). */
  InUse = 'ANALYSIS.CONFIGURATION_IN_USE',
  /** If-Match named a version the item has moved past. */
  StaleVersion = 'ANALYSIS.STALE_VERSION',
  /** A change the item's kind does not allow (a built-in provider's base URL, a provider's type). */
  NotChangeable = 'ANALYSIS.NOT_CHANGEABLE',
}

export class AnalysisConfigurationError extends ApplicationError {
  constructor(
    readonly code: AnalysisConfigurationErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
