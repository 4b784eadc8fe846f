import { AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';

/** Every refusal of the AI agents part with its HTTP status (exhaustive). */
export const aiAgentsErrorStatuses: Record<Code, number> = {
  [Code.ExperimentNotFound]: 404,
  [Code.AgentNotFound]: 404,
  [Code.AgentNeedsAPerson]: 403,
  [Code.ExecutionNotFound]: 404,
  [Code.AgentNameTaken]: 409,
  [Code.AgentInactive]: 422,
  [Code.AgentStaleVersion]: 412,
  [Code.ProviderNotAvailable]: 422,
  [Code.MessageNotFound]: 422,
  [Code.LabelSetInvalid]: 422,
  [Code.BudgetExceeded]: 422,
  [Code.ExperimentNotCompleted]: 422,
  [Code.InvalidTransition]: 409,
};
