import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { LlmProviderSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { ConfigurationAggregates } from '@modules/analysis/infrastructure/configuration-aggregates';
import { checkIfMatch, ConfigurationNames, followUp, newConfigurationId } from '@modules/analysis/infrastructure/configuration-names';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { providerResponse } from '@modules/analysis/infrastructure/configuration.responses';
import { ProviderApiKeys } from '@modules/analysis/infrastructure/provider-api-keys';
import { ProviderConnections } from '@modules/analysis/infrastructure/provider-connections';
import type { LlmProviderRow } from '@modules/analysis/projections/llm-providers.projection';
import { CreateProviderRequestDto, UpdateProviderRequestDto } from './providers.request.dto';

export type ProviderResponse = ReturnType<typeof providerResponse>;

/**
 * LLM providers (admin). A new connection (created, or another base URL or key) is checked by
 * the `analysis.provider-validation` consumer with a real call; POST .../validate asks again.
 */
@Injectable()
export class ProvidersHandler {
  constructor(
    private readonly aggregates: ConfigurationAggregates,
    private readonly queries: ConfigurationQueries,
    private readonly names: ConfigurationNames,
    private readonly keys: ProviderApiKeys,
    private readonly connections: ProviderConnections,
  ) {}

  async create(workspaceId: string, input: CreateProviderRequestDto, meta: CommandMetadata): Promise<ProviderResponse> {
    this.checkConnection(input.type === 'builtin', input.baseUrl, input.apiKey, true);
    const id = newConfigurationId('llm-provider', workspaceId, scopedIdempotencyKey(meta), input);
    const settings: LlmProviderSettings = {
      name: input.name,
      type: input.type,
      baseUrl: input.type === 'builtin' ? null : input.baseUrl!,
      apiKeyCiphertext: this.keys.seal(id, input.apiKey ?? null),
    };
    await this.names.creating('llm-provider', workspaceId, input.name, id, meta, () =>
      this.aggregates.provider.handle(id, { kind: 'create', id, workspaceId, settings, now: meta.now }, meta, { fingerprint: input }),
    );
    if (input.isActive === false) await this.aggregates.provider.handle(id, { kind: 'set-active', workspaceId, active: false, now: meta.now }, followUp(meta));
    return providerResponse(await this.row(workspaceId, id));
  }

  async update(workspaceId: string, id: string, input: UpdateProviderRequestDto, meta: CommandMetadata): Promise<ProviderResponse> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'provider');
    const builtin = current.type === 'builtin';
    if (builtin && (input.baseUrl !== undefined || (input.apiKey !== undefined && input.apiKey !== null))) {
      throw new AnalysisConfigurationError(Code.NotChangeable, 'The built-in provider has no base URL and no API key', { field: input.baseUrl !== undefined ? 'baseUrl' : 'apiKey' });
    }
    this.checkConnection(builtin, input.baseUrl, input.apiKey ?? undefined, false);
    const changes: Partial<LlmProviderSettings> = {
      name: input.name,
      baseUrl: input.baseUrl,
      // A new ciphertext each time: sending the same key again is a new check too.
      apiKeyCiphertext: input.apiKey === undefined ? undefined : this.keys.seal(id, input.apiKey),
    };
    if (input.apiKey === null && current.api_key_encrypted === null) delete changes.apiKeyCiphertext;
    await this.names.renaming('llm-provider', workspaceId, current.name, input.name, id, meta, () =>
      this.aggregates.provider.handle(id, { kind: 'change', workspaceId, changes, now: meta.now }, meta, { fingerprint: input }),
    );
    if (input.isActive !== undefined) await this.aggregates.provider.handle(id, { kind: 'set-active', workspaceId, active: input.isActive, now: meta.now }, followUp(meta));
    return providerResponse(await this.row(workspaceId, id));
  }

  /** Runs the real test call again (asynchronously: the answer says pending; builtin is connected at once). */
  async validate(workspaceId: string, id: string, meta: CommandMetadata): Promise<ProviderResponse> {
    await this.row(workspaceId, id);
    await this.aggregates.provider.handle(id, { kind: 'request-validation', workspaceId, now: meta.now }, meta);
    return providerResponse(await this.row(workspaceId, id));
  }

  /** DELETE: refused while an agent config uses the provider (deactivate it, or move the agents first). */
  async delete(workspaceId: string, id: string, meta: CommandMetadata): Promise<void> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'provider');
    const agents = await this.queries.agentsOfProvider(workspaceId, id);
    if (agents > 0) throw new AnalysisConfigurationError(Code.InUse, `${agents} agent config(s) use this provider: delete or move them first, or deactivate the provider`, { agentConfigs: agents });
    await this.aggregates.provider.handle(id, { kind: 'delete', workspaceId, now: meta.now }, meta);
    await this.names.release('llm-provider', workspaceId, current.name, id, followUp(meta));
  }

  async get(workspaceId: string, id: string): Promise<ProviderResponse> {
    return providerResponse(await this.row(workspaceId, id));
  }

  /** The provider of this workspace, or 404 (another workspace's ids included). */
  async row(workspaceId: string, id: string): Promise<LlmProviderRow> {
    const row = isUUID(id) ? await this.queries.provider(workspaceId, id) : null;
    if (!row) throw new AnalysisConfigurationError(Code.ProviderNotFound, 'No such LLM provider', { providerId: id });
    return row;
  }

  /** builtin: no URL, no key; the others: an http(s) base URL the inward guard does not refuse. */
  private checkConnection(builtin: boolean, baseUrl: string | undefined, apiKey: string | undefined, creating: boolean): void {
    const errors: { field: string; message: string }[] = [];
    if (builtin) {
      if (baseUrl !== undefined) errors.push({ field: 'baseUrl', message: 'a builtin provider has no base URL' });
      if (apiKey !== undefined) errors.push({ field: 'apiKey', message: 'a builtin provider has no API key' });
    } else if (baseUrl === undefined) {
      if (creating) errors.push({ field: 'baseUrl', message: 'baseUrl is required for this type' });
    } else {
      const problem = this.connections.baseUrlProblem(baseUrl);
      if (problem) errors.push({ field: 'baseUrl', message: problem });
    }
    if (errors.length) throw new ValidationFailedError('The provider\'s connection is not valid', errors);
  }
}
