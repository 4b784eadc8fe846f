import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { AgentConfigSettings, DEFAULT_TEMPERATURE } from '@modules/analysis/domain/configuration/configuration-settings';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { ConfigurationAggregates } from '@modules/analysis/infrastructure/configuration-aggregates';
import { checkIfMatch, ConfigurationNames, followUp, newConfigurationId } from '@modules/analysis/infrastructure/configuration-names';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { agentConfigResponse } from '@modules/analysis/infrastructure/configuration.responses';
import type { AgentConfigRow } from '@modules/analysis/projections/agent-configs.projection';
import { CreateAgentConfigRequestDto, UpdateAgentConfigRequestDto } from './agent-configs.request.dto';

export type AgentConfigResponse = ReturnType<typeof agentConfigResponse>;

/** Agent configs (admin): a provider of the workspace, a model, a system prompt, temperature 0-2, max tokens. */
@Injectable()
export class AgentConfigsHandler {
  constructor(
    private readonly aggregates: ConfigurationAggregates,
    private readonly queries: ConfigurationQueries,
    private readonly names: ConfigurationNames,
  ) {}

  async create(workspaceId: string, input: CreateAgentConfigRequestDto, meta: CommandMetadata): Promise<AgentConfigResponse> {
    await this.providerOf(workspaceId, input.providerId);
    const id = newConfigurationId('agent-config', workspaceId, scopedIdempotencyKey(meta), input);
    const settings: AgentConfigSettings = {
      name: input.name,
      providerId: input.providerId,
      modelName: input.modelName,
      systemPrompt: input.systemPrompt,
      description: input.description ?? null,
      temperature: input.temperature ?? DEFAULT_TEMPERATURE,
      maxTokens: input.maxTokens ?? null,
    };
    await this.names.creating('agent-config', workspaceId, input.name, id, meta, () =>
      this.aggregates.agentConfig.handle(id, { kind: 'create', id, workspaceId, settings, now: meta.now }, meta, { fingerprint: input }),
    );
    if (input.isActive === false) await this.aggregates.agentConfig.handle(id, { kind: 'set-active', workspaceId, active: false, now: meta.now }, followUp(meta));
    return agentConfigResponse(await this.row(workspaceId, id));
  }

  async update(workspaceId: string, id: string, input: UpdateAgentConfigRequestDto, meta: CommandMetadata): Promise<AgentConfigResponse> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'agent config');
    if (input.providerId !== undefined) await this.providerOf(workspaceId, input.providerId);
    const changes: Partial<AgentConfigSettings> = {
      name: input.name,
      providerId: input.providerId,
      modelName: input.modelName,
      systemPrompt: input.systemPrompt,
      // null clears; absent keeps.
      description: input.description === undefined ? undefined : input.description,
      temperature: input.temperature,
      maxTokens: input.maxTokens === undefined ? undefined : input.maxTokens,
    };
    await this.names.renaming('agent-config', workspaceId, current.name, input.name, id, meta, () =>
      this.aggregates.agentConfig.handle(id, { kind: 'change', workspaceId, changes, now: meta.now }, meta, { fingerprint: input }),
    );
    if (input.isActive !== undefined) await this.aggregates.agentConfig.handle(id, { kind: 'set-active', workspaceId, active: input.isActive, now: meta.now }, followUp(meta));
    return agentConfigResponse(await this.row(workspaceId, id));
  }

  /** DELETE: refused while an assignment uses the agent. */
  async delete(workspaceId: string, id: string, meta: CommandMetadata): Promise<void> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'agent config');
    const assignments = await this.queries.assignmentsOf(workspaceId, { agentId: id });
    if (assignments > 0) throw new AnalysisConfigurationError(Code.InUse, `${assignments} assignment(s) use this agent: delete them first, or deactivate the agent`, { assignments });
    await this.aggregates.agentConfig.handle(id, { kind: 'delete', workspaceId, now: meta.now }, meta);
    await this.names.release('agent-config', workspaceId, current.name, id, followUp(meta));
  }

  async get(workspaceId: string, id: string): Promise<AgentConfigResponse> {
    return agentConfigResponse(await this.row(workspaceId, id));
  }

  async row(workspaceId: string, id: string): Promise<AgentConfigRow> {
    const row = isUUID(id) ? await this.queries.agentConfig(workspaceId, id) : null;
    if (!row) throw new AnalysisConfigurationError(Code.AgentConfigNotFound, 'No such agent config', { agentConfigId: id });
    return row;
  }

  private async providerOf(workspaceId: string, providerId: string) {
    const provider = await this.queries.provider(workspaceId, providerId);
    if (!provider) throw new AnalysisConfigurationError(Code.ProviderNotFound, 'No such LLM provider in this workspace', { field: 'providerId', providerId });
    return provider;
  }
}
