import { AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';

/** Every analysis-configuration refusal's HTTP status (exhaustive). */
export const analysisConfigurationErrorStatuses: Record<Code, number> = {
  [Code.ProviderNotFound]: 404,
  [Code.AgentConfigNotFound]: 404,
  [Code.TaskConfigNotFound]: 404,
  [Code.AssignmentNotFound]: 404,
  [Code.ProjectConfigNotFound]: 404,
  [Code.NameTaken]: 409,
  [Code.AssignmentExists]: 409,
  [Code.InUse]: 409,
  // RFC 9110: a failed If-Match is 412 Precondition Failed.
  [Code.StaleVersion]: 412,
  [Code.NotChangeable]: 422,
};
