import { configurationItemDecider } from './configuration-item.decider';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from './configuration.errors';
import { AgentConfigSettings, AgentTaskAssignmentSettings, ProjectConfigSettings, TaskConfigSettings } from './configuration-settings';

/** The configuration items without a life of their own beyond create / change / (de)activate / delete. */
export const agentConfigDecider = configurationItemDecider<'agent-config', AgentConfigSettings>('agent-config', () => new AnalysisConfigurationError(Code.AgentConfigNotFound, 'No such agent config'));

export const taskConfigDecider = configurationItemDecider<'task-config', TaskConfigSettings>('task-config', () => new AnalysisConfigurationError(Code.TaskConfigNotFound, 'No such task config'));

export const assignmentDecider = configurationItemDecider<'agent-task-assignment', AgentTaskAssignmentSettings>(
  'agent-task-assignment',
  () => new AnalysisConfigurationError(Code.AssignmentNotFound, 'No such assignment'),
);

export const projectConfigDecider = configurationItemDecider<'project-config', ProjectConfigSettings>('project-config', () => new AnalysisConfigurationError(Code.ProjectConfigNotFound, 'No such project config'));
