import { Injectable } from '@nestjs/common';
import { LlmUsageMeter } from '@libs/ai/metering/llm-usage-meter';
import { MeteredLlmClient } from '@libs/ai/metering/metered-llm.client';
import { ApplicationError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import {
  AnalysisModel,
  AnalysisModels,
  AssignmentSnapshot,
  LlmProviderType,
  ProjectConfigSnapshot,
} from '@modules/analysis/application/analysis-models';
import { AgentConfigSettings, LlmProviderSettings, TaskConfigSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { TASK_PROPOSALS_ANSWER_SCHEMA } from '@modules/analysis/domain/task-proposal/task-proposals-answer.schema';
import { ConfigurationAggregates, NamedConfigurationKind } from '@modules/analysis/infrastructure/configuration-aggregates';
import { builtinId, ConfigurationNames, followUp } from '@modules/analysis/infrastructure/configuration-names';
import { agentSnapshot, projectSnapshot, providerSnapshot, taskSnapshot } from '@modules/analysis/infrastructure/configuration.responses';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { ProviderApiKeys } from '@modules/analysis/infrastructure/provider-api-keys';
import { ProviderConnections } from '@modules/analysis/infrastructure/provider-connections';

/** The model name the built-in agent names: the offline task detector (domain/task-detection). */
export const BUILTIN_TASK_DETECTOR_MODEL = 'builtin-task-detector';

const BUILTIN_NAMES = { provider: 'Built-in', agent: 'Built-in task detector', task: 'Task proposals' } as const;

const BUILTIN_SYSTEM_PROMPT = [
  'Find the tasks in these messages: explicit commitments ("I\'ll fix the export tomorrow"), assignments ("@ana can you deploy it")',
  'and requests with a next step or a deadline. Discussion, opinions, questions and ideas are not tasks; "no tasks" is a valid answer.',
  'Never invent an owner or a due date the text does not state.',
].join(' ');

/**
 * The configuration part's side of the AnalysisModels contract, read from its read models (the
 * inline projections: what was just written is there). Clients of a provider are metered into
 * llm_usage_logs (MeteredLlmClient) and go through the inward-connect guard.
 */
@Injectable()
export class ConfiguredAnalysisModels extends AnalysisModels {
  constructor(
    private readonly queries: ConfigurationQueries,
    private readonly aggregates: ConfigurationAggregates,
    private readonly names: ConfigurationNames,
    private readonly keys: ProviderApiKeys,
    private readonly connections: ProviderConnections,
    private readonly meter: LlmUsageMeter,
  ) {
    super();
  }

  async assignment(workspaceId: string, assignmentId: string): Promise<AssignmentSnapshot | null> {
    const a = await this.queries.assignment(workspaceId, assignmentId);
    if (!a?.is_active) return null;
    const [agent, task] = await Promise.all([this.queries.agentConfig(workspaceId, a.agent_id), this.queries.taskConfig(workspaceId, a.task_id)]);
    if (!agent?.is_active || !task?.is_active) return null;
    const provider = await this.queries.provider(workspaceId, agent.provider_id);
    if (!provider?.is_active) return null;
    return { id: a.id, agent: agentSnapshot(agent), task: taskSnapshot(task), provider: providerSnapshot(provider) };
  }

  async projects(workspaceId: string): Promise<ProjectConfigSnapshot[]> {
    return (await this.queries.activeProjectConfigs(workspaceId)).map(projectSnapshot);
  }

  async project(workspaceId: string, projectId: string): Promise<ProjectConfigSnapshot | null> {
    const row = await this.queries.projectConfig(workspaceId, projectId);
    return row?.is_active ? projectSnapshot(row) : null;
  }

  async model(workspaceId: string, providerId: string, modelName: string): Promise<AnalysisModel | null> {
    const row = await this.queries.provider(workspaceId, providerId);
    if (!row?.is_active) return null;
    const provider = providerSnapshot(row);
    if (row.type === 'builtin') return { builtin: true, provider, model: modelName };
    const inner = this.connections.client({ type: row.type as LlmProviderType, baseUrl: row.base_url!, apiKey: this.keys.open(row.id, row.api_key_encrypted) }, modelName);
    return { builtin: false, provider, model: modelName, client: new MeteredLlmClient(inner, this.meter) };
  }

  /**
   * Creates (or re-creates, or re-activates) the workspace's built-in provider, agent, task and
   * their assignment. Their ids derive from the workspace, so concurrent first uses name the same
   * items: creates of an existing item do nothing, and a name claim held by the same item is
   * its own. A name a user already gave to something else makes the built-in one "Built-in 2"...
   */
  async ensureBuiltinAssignment(workspaceId: string, metadata: CommandMetadata): Promise<AssignmentSnapshot> {
    const ready = await this.assignment(workspaceId, builtinId(workspaceId, 'assignment'));
    if (ready) return ready;
    const meta = followUp(metadata);
    const providerId = builtinId(workspaceId, 'provider');
    const agentId = builtinId(workspaceId, 'agent');
    const taskId = builtinId(workspaceId, 'task');
    const assignmentId = builtinId(workspaceId, 'assignment');

    const provider = await this.queries.provider(workspaceId, providerId);
    if (!provider) {
      await this.createNamed('llm-provider', workspaceId, BUILTIN_NAMES.provider, providerId, meta, (name) => {
        const settings: LlmProviderSettings = { name, type: 'builtin', baseUrl: null, apiKeyCiphertext: null };
        return this.aggregates.provider.handle(providerId, { kind: 'create', id: providerId, workspaceId, settings, now: meta.now }, followUp(meta));
      });
    } else if (!provider.is_active) {
      await this.aggregates.provider.handle(providerId, { kind: 'set-active', workspaceId, active: true, now: meta.now }, followUp(meta));
    }

    const agent = await this.queries.agentConfig(workspaceId, agentId);
    if (!agent) {
      await this.createNamed('agent-config', workspaceId, BUILTIN_NAMES.agent, agentId, meta, (name) => {
        const settings: AgentConfigSettings = {
          name,
          providerId,
          modelName: BUILTIN_TASK_DETECTOR_MODEL,
          systemPrompt: BUILTIN_SYSTEM_PROMPT,
          description: 'The offline task detector: commitments, assignments and requests found on cues, with no network',
          temperature: 0,
          maxTokens: null,
        };
        return this.aggregates.agentConfig.handle(agentId, { kind: 'create', id: agentId, workspaceId, settings, now: meta.now }, followUp(meta));
      });
    } else {
      // The built-in agent runs on the built-in provider, whatever an admin changed.
      if (agent.provider_id !== providerId) await this.aggregates.agentConfig.handle(agentId, { kind: 'change', workspaceId, changes: { providerId }, now: meta.now }, followUp(meta));
      if (!agent.is_active) await this.aggregates.agentConfig.handle(agentId, { kind: 'set-active', workspaceId, active: true, now: meta.now }, followUp(meta));
    }

    const task = await this.queries.taskConfig(workspaceId, taskId);
    if (!task) {
      await this.createNamed('task-config', workspaceId, BUILTIN_NAMES.task, taskId, meta, (name) => {
        const settings: TaskConfigSettings = { name, description: 'Task proposals found in a batch of messages (the built-in answer schema)', responseSchema: TASK_PROPOSALS_ANSWER_SCHEMA };
        return this.aggregates.taskConfig.handle(taskId, { kind: 'create', id: taskId, workspaceId, settings, now: meta.now }, followUp(meta));
      });
    } else if (!task.is_active) {
      await this.aggregates.taskConfig.handle(taskId, { kind: 'set-active', workspaceId, active: true, now: meta.now }, followUp(meta));
    }

    const assignment = await this.queries.assignment(workspaceId, assignmentId);
    if (!assignment) {
      const pair = { agentId, taskId };
      // Another assignment of the same pair (an admin's) holds the claim: that one is the built-in pair's.
      const holder = await this.aggregates.agentTaskPairs.claim(pair, assignmentId, followUp(meta)).then(
        () => assignmentId,
        async (err) => {
          if (!(err instanceof ApplicationError) || err.code !== Code.AssignmentExists) throw err;
          const page = await this.queries.assignments(workspaceId, { agentId, taskId, limit: 1 });
          return page.items[0]?.id ?? Promise.reject(err);
        },
      );
      if (holder !== assignmentId) {
        const existing = await this.assignment(workspaceId, holder);
        if (existing) return existing;
        await this.aggregates.assignment.handle(holder, { kind: 'set-active', workspaceId, active: true, now: meta.now }, followUp(meta));
        return (await this.assignment(workspaceId, holder))!;
      }
      await this.aggregates.assignment.handle(assignmentId, { kind: 'create', id: assignmentId, workspaceId, settings: pair, now: meta.now }, followUp(meta));
    } else if (!assignment.is_active) {
      await this.aggregates.assignment.handle(assignmentId, { kind: 'set-active', workspaceId, active: true, now: meta.now }, followUp(meta));
    }
    const snapshot = await this.assignment(workspaceId, assignmentId);
    if (!snapshot) throw new Error(`The built-in assignment of workspace ${workspaceId} could not be made ready`);
    return snapshot;
  }

  /** Creates an item under `base`, or "base 2", "base 3"... when a user's item holds the name. */
  private async createNamed(kind: NamedConfigurationKind, workspaceId: string, base: string, id: string, meta: CommandMetadata, create: (name: string) => Promise<unknown>): Promise<void> {
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base} ${n}`;
      try {
        await this.names.creating(kind, workspaceId, name, id, followUp(meta), () => create(name));
        return;
      } catch (err) {
        if (n >= 20 || !(err instanceof ApplicationError) || err.code !== Code.NameTaken) throw err;
      }
    }
  }
}
