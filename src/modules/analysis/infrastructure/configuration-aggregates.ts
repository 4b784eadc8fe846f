import { Injectable } from '@nestjs/common';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { defineAggregate } from '@libs/eventsourcing/aggregate/define-aggregate';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { defineUniqueClaim } from '@libs/eventsourcing/uniqueness/define-unique-claim';
import { agentConfigDecider, assignmentDecider, projectConfigDecider, taskConfigDecider } from '@modules/analysis/domain/configuration/configuration-deciders';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { llmProviderDecider } from '@modules/analysis/domain/llm-provider/llm-provider.decider';

/** The client's If-Match named a version the item has moved past: a 412. */
const staleVersion = (what: string) => (err: ConcurrencyError, expectedVersion: number) =>
  new AnalysisConfigurationError(Code.StaleVersion, `The ${what} changed since version ${expectedVersion}: it is at version ${err.actualVersion ?? 0}; read it again`, {
    expectedVersion,
    currentVersion: err.actualVersion,
  });

const result = ({ version }: { version: number }) => ({ version });

export const llmProviderAggregate = defineAggregate(llmProviderDecider, { streamType: 'analysis-llm-provider', result, staleVersion: staleVersion('provider') });
export const agentConfigAggregate = defineAggregate(agentConfigDecider, { streamType: 'analysis-agent-config', result, staleVersion: staleVersion('agent config') });
export const taskConfigAggregate = defineAggregate(taskConfigDecider, { streamType: 'analysis-task-config', result, staleVersion: staleVersion('task config') });
export const assignmentAggregate = defineAggregate(assignmentDecider, { streamType: 'analysis-agent-task-assignment', result, staleVersion: staleVersion('assignment') });
export const projectConfigAggregate = defineAggregate(projectConfigDecider, { streamType: 'analysis-project-config', result, staleVersion: staleVersion('project config') });

/** Which kinds of configuration have unique names (per workspace, without regard to case). */
export type NamedConfigurationKind = 'llm-provider' | 'agent-config' | 'task-config' | 'project-config';

const LABELS: Record<NamedConfigurationKind, string> = { 'llm-provider': 'An LLM provider', 'agent-config': 'An agent config', 'task-config': 'A task config', 'project-config': 'A project config' };

/** One scope for the four kinds: the key names the kind, so a provider and an agent may share a name. */
export const configurationNameClaim = defineUniqueClaim('analysis-configuration-name', {
  key: ({ kind, workspaceId, nameKey }: { kind: NamedConfigurationKind; workspaceId: string; nameKey: string }) => `${kind}:${workspaceId}:${nameKey}`,
  taken: ({ kind }) => new AnalysisConfigurationError(Code.NameTaken, `${LABELS[kind]} with this name exists in the workspace (names are compared without case)`, { field: 'name' }),
});

/** An agent is assigned to a task once (seed 003 uq_agent_task); agent and task ids are uuids, unique everywhere. */
export const agentTaskPairClaim = defineUniqueClaim('analysis-agent-task', {
  key: ({ agentId, taskId }: { agentId: string; taskId: string }) => `${agentId}:${taskId}`,
  taken: () => new AnalysisConfigurationError(Code.AssignmentExists, 'This agent is already assigned to this task', { field: 'taskId' }),
});

/** Analysis configuration's aggregates and unique values, bound to the command handler. */
@Injectable()
export class ConfigurationAggregates {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  readonly provider = llmProviderAggregate.bind(this.handler);
  readonly agentConfig = agentConfigAggregate.bind(this.handler);
  readonly taskConfig = taskConfigAggregate.bind(this.handler);
  readonly assignment = assignmentAggregate.bind(this.handler);
  readonly projectConfig = projectConfigAggregate.bind(this.handler);
  readonly names = configurationNameClaim.bind(this.handler);
  readonly agentTaskPairs = agentTaskPairClaim.bind(this.handler);
}
