import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IngestionError, IngestionErrorCode as Code } from '@modules/ingestion/domain/ingestion.errors';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { IngestionQueries } from '@modules/ingestion/infrastructure/ingestion.queries';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import type { SourceRow } from '@modules/ingestion/projections/sources.projection';
import { ConnectSourceRequestDto, UpdateSourceRequestDto } from './sources.request.dto';

/** A source as the API shows it: never its credentials, only whether it has some. */
export function sourceResponse(s: SourceRow) {
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    config: s.config,
    externalId: s.external_id,
    hasCredentials: s.credentials_ciphertext !== null,
    active: s.is_active,
    syncStatus: s.sync_status,
    syncError: s.sync_error,
    lastSyncedAt: s.last_synced_at,
    webhookUrl: `/api/v1/webhooks/${s.kind}/${s.id}`,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
  };
}

@Injectable()
export class SourcesHandler {
  constructor(
    private readonly aggregates: IngestionAggregates,
    private readonly queries: IngestionQueries,
    private readonly credentials: SourceCredentials,
  ) {}

  async connect(workspaceId: string, input: ConnectSourceRequestDto, meta: CommandMetadata) {
    const creds = this.credentials.validate(input.kind, input.credentials);
    const sourceId = uuidv7();
    const config = input.config ?? {};
    const externalId = this.credentials.externalIdOf(input.kind, creds, config);
    if (externalId) await this.aggregates.claimAccount(input.kind, externalId, sourceId, meta);
    await this.aggregates.source(sourceId, {
      kind: 'connect',
      sourceId,
      workspaceId,
      sourceKind: input.kind,
      name: input.name,
      config,
      credentialsCiphertext: this.credentials.seal(sourceId, creds),
      externalId,
      now: meta.now,
    }, { ...meta, idempotencyKey: undefined });
    return sourceResponse((await this.queries.source(workspaceId, sourceId))!);
  }

  /** The source an import names by kind and name (API.md import shape), made on first use. */
  async findOrCreate(workspaceId: string, kind: SourceKind, name: string, meta: CommandMetadata): Promise<SourceRow> {
    const existing = await this.queries.sourceByName(workspaceId, kind, name);
    if (existing) return existing;
    const sourceId = uuidv7();
    await this.aggregates.source(sourceId, { kind: 'connect', sourceId, workspaceId, sourceKind: kind, name, config: {}, credentialsCiphertext: null, externalId: null, now: meta.now }, {
      ...meta,
      idempotencyKey: undefined,
      expectedVersion: undefined,
    });
    return (await this.queries.source(workspaceId, sourceId))!;
  }

  async get(workspaceId: string, sourceId: string): Promise<SourceRow> {
    const s = isUUID(sourceId) ? await this.queries.source(workspaceId, sourceId) : null;
    if (!s) throw new IngestionError(Code.SourceNotFound, 'No such source');
    return s;
  }

  async update(workspaceId: string, sourceId: string, input: UpdateSourceRequestDto, meta: CommandMetadata) {
    const s = await this.get(workspaceId, sourceId);
    const m = { ...meta, idempotencyKey: undefined };
    if (input.credentials !== undefined) {
      const creds = this.credentials.validate(s.kind as SourceKind, input.credentials);
      await this.aggregates.source(sourceId, { kind: 'replace-credentials', workspaceId, credentialsCiphertext: this.credentials.seal(sourceId, creds), now: meta.now }, m);
    }
    await this.aggregates.source(sourceId, { kind: 'update', workspaceId, name: input.name, config: input.config, now: meta.now }, m);
    if (input.active !== undefined) await this.aggregates.source(sourceId, { kind: 'set-active', workspaceId, active: input.active, now: meta.now }, m);
    return sourceResponse((await this.queries.source(workspaceId, sourceId))!);
  }

  async deactivate(workspaceId: string, sourceId: string, meta: CommandMetadata): Promise<void> {
    await this.get(workspaceId, sourceId);
    await this.aggregates.source(sourceId, { kind: 'set-active', workspaceId, active: false, now: meta.now }, meta);
  }
}
