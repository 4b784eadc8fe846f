import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { OAuthAccessError, OAuthAccessTokens } from '@modules/identity/contracts';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IngestionError, IngestionErrorCode as Code } from '@modules/ingestion/domain/ingestion.errors';
import { checkSourceConfig } from '@modules/ingestion/domain/source/source.decider';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { IngestionQueries } from '@modules/ingestion/infrastructure/ingestion.queries';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import type { SourceRow } from '@modules/ingestion/projections/sources.projection';
import { gmailConfigOf } from '@modules/ingestion/application/pull-sync/gmail-sync.runner';
import { PULL_SOURCE_KINDS } from '@modules/ingestion/application/pull-sync/sync-runner';
import { nextSyncAt } from '@modules/ingestion/application/pull-sync/sync-schedule';
import { AccountProof, AccountProofs } from './account-proofs';
import { ConnectSourceRequestDto, UpdateSourceRequestDto } from './sources.request.dto';

/** A source as the API shows it: never its credentials, only whether it has some. */
export function sourceResponse(s: SourceRow, defaultSyncIntervalMinutes: number) {
  const scheduled = (PULL_SOURCE_KINDS as readonly string[]).includes(s.kind) && s.is_active && s.credentials_ciphertext !== null;
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    config: s.config,
    externalId: s.external_id,
    /** Whether the credentials proved the account (only then is it bound to this workspace). */
    accountVerified: Boolean(s.account_verified_at),
    hasCredentials: s.credentials_ciphertext !== null,
    active: s.is_active,
    syncStatus: s.sync_status,
    syncError: s.sync_error,
    /** What the sync error asks (reconnect, permissions, quota, unreachable, invalid_config, interrupted, other). */
    syncErrorCode: s.sync_error_code ?? null,
    lastSyncedAt: s.last_synced_at,
    /** Pulled sources: when the scheduler starts the next sync (the last attempt + the interval; in the past: at its next tick). */
    nextSyncAt: scheduled ? nextSyncAt(s, defaultSyncIntervalMinutes).toISOString() : null,
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
    private readonly proofs: AccountProofs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Absent where identity's contracts are not bound (the CLI): linked-account sources are then refused.
    @Optional() private readonly oauthTokens?: OAuthAccessTokens,
  ) {}

  /** The source as the API shows it (sourceResponse with this deployment's default sync interval). */
  response(s: SourceRow) {
    return sourceResponse(s, this.config.PULL_SYNC_DEFAULT_INTERVAL_MINUTES);
  }

  /**
   * The account the source names is bound to the workspace (claimed) only when the credentials
   * prove it; else the source is saved unverified and claims nothing (a sync, new credentials or
   * POST .../verify try again). A proven account another workspace holds: 409, nothing saved.
   */
  async connect(workspaceId: string, input: ConnectSourceRequestDto, meta: CommandMetadata) {
    // Before the proof: a refused config must not leave the account claimed.
    checkSourceConfig(input.config);
    const creds = this.credentials.validate(input.kind, input.credentials);
    const sourceId = uuidv7();
    const config = input.config ?? {};
    await this.checkLinkedAccount(input.kind, config, meta);
    const externalId = this.credentials.externalIdOf(input.kind, creds, config);
    const proof = await this.proofs.prove(input.kind, creds, config);
    if (proof.status === 'proven') await this.aggregates.sourceAccounts.claim({ kind: input.kind, externalId: proof.externalId }, sourceId, meta);
    await this.aggregates.source.handle(sourceId, {
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
    if (proof.status === 'proven') await this.recordProof(workspaceId, sourceId, proof.externalId, meta);
    return this.response((await this.queries.source(workspaceId, sourceId))!);
  }

  /** The source an import names by kind and name (docs/api.md import shape), made on first use. */
  async findOrCreate(workspaceId: string, kind: SourceKind, name: string, meta: CommandMetadata): Promise<SourceRow> {
    const existing = await this.queries.sourceByName(workspaceId, kind, name);
    if (existing) return existing;
    const sourceId = uuidv7();
    await this.aggregates.source.handle(sourceId, { kind: 'connect', sourceId, workspaceId, sourceKind: kind, name, config: {}, credentialsCiphertext: null, externalId: null, now: meta.now }, {
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
    checkSourceConfig(input.config);
    const kind = s.kind as SourceKind;
    const m = { ...meta, idempotencyKey: undefined };
    if (input.config !== undefined) await this.checkLinkedAccount(kind, input.config, meta);
    let creds = this.credentials.open(sourceId, s.credentials_ciphertext);
    if (input.credentials !== undefined) {
      creds = this.credentials.validate(kind, input.credentials);
      const named = this.credentials.externalIdOf(kind, creds, input.config ?? s.config ?? {});
      await this.aggregates.source.handle(sourceId, { kind: 'replace-credentials', workspaceId, credentialsCiphertext: this.credentials.seal(sourceId, creds), externalId: named, now: meta.now }, m);
    }
    // A config that names another account (Slack's teamId) needs a proof of that account too.
    const externalId = input.config !== undefined ? this.credentials.externalIdOf(kind, creds, input.config) : undefined;
    await this.aggregates.source.handle(sourceId, { kind: 'update', workspaceId, name: input.name, config: input.config, externalId, now: meta.now }, m);
    if (input.active !== undefined) await this.aggregates.source.handle(sourceId, { kind: 'set-active', workspaceId, active: input.active, now: meta.now }, m);
    const current = (await this.queries.source(workspaceId, sourceId))!;
    if (current.account_verified_at || (input.credentials === undefined && input.config === undefined)) return this.response(current);
    const proof = await this.proveAndClaim(current, meta);
    // The account proven before, when the new credentials or config no longer prove it: free for its owner.
    const heldBefore = s.account_verified_at ? s.external_id : null;
    if (heldBefore && !(proof.status === 'proven' && proof.externalId === heldBefore)) await this.releaseAccount(s, heldBefore, meta);
    // Only a proof writes the row: it is read again after one only.
    return this.response(proof.status === 'proven' ? (await this.queries.source(workspaceId, sourceId))! : current);
  }

  /** POST .../sources/:id/verify: proves the account now; 422 with the reason when the credentials do not, 409 when another workspace holds it. */
  async verify(workspaceId: string, sourceId: string, meta: CommandMetadata) {
    const s = await this.get(workspaceId, sourceId);
    const proof = await this.proveAndClaim(s, meta);
    if (proof.status === 'unproven') throw new IngestionError(Code.AccountNotVerified, `The ${s.kind} account could not be proven: ${proof.reason}`, { externalId: proof.externalId });
    return this.response((await this.queries.source(workspaceId, sourceId))!);
  }

  /** Before a pull sync: an unproven source proves its account first (and claims it), or the sync fails with why. */
  async ensureVerified(workspaceId: string, sourceId: string, meta: CommandMetadata): Promise<void> {
    const s = await this.get(workspaceId, sourceId);
    if (s.account_verified_at) return;
    const proof = await this.proveAndClaim(s, meta);
    if (proof.status === 'unproven') throw new IngestionError(Code.AccountNotVerified, `The ${s.kind} account could not be proven: ${proof.reason}`);
  }

  /**
   * A source that reads a linked account (gmail, microsoft365) names it in config.oauthAccountId
   * and reads it with its owner's token: only that owner may name it or change what is read (else
   * anyone in the workspace could read someone's mailbox), and it must be of the kind's provider.
   * Not linked, another user's and another provider's accounts get one answer, so ids of other
   * users' accounts cannot be probed.
   */
  private async checkLinkedAccount(kind: SourceKind, config: Record<string, unknown>, meta: CommandMetadata): Promise<void> {
    const linked = LINKED_ACCOUNT_SOURCES[kind];
    if (!linked) return;
    const errors = linked.configProblems(config);
    if (errors.length) throw new ValidationFailedError(`The ${kind} config is not valid`, errors);
    const field = { field: 'config.oauthAccountId' };
    const refused = new IngestionError(Code.LinkedAccountRefused, `config.oauthAccountId must name a ${linked.label} account you linked yourself and whose token is still valid (GET /api/v1/me/oauth-accounts; reconnect it if it expired)`, field);
    if (!this.oauthTokens || !meta.actorId) throw refused;
    try {
      const access = await this.oauthTokens.accessFor(config.oauthAccountId as string);
      if (access.userId !== meta.actorId || access.provider !== linked.provider) throw refused;
    } catch (err) {
      if (!(err instanceof OAuthAccessError)) throw err;
      if (err.problem === 'provider_unavailable') throw new IngestionError(Code.LinkedAccountRefused, `${linked.label} could not be reached to check the account; try again later`, field);
      throw refused;
    }
  }

  private async proveAndClaim(s: SourceRow, meta: CommandMetadata): Promise<AccountProof> {
    const proof = await this.proofs.prove(s.kind as SourceKind, this.credentials.open(s.id, s.credentials_ciphertext), s.config ?? {});
    if (proof.status === 'proven') {
      await this.aggregates.sourceAccounts.claim({ kind: s.kind, externalId: proof.externalId }, s.id, { ...meta, idempotencyKey: undefined });
      await this.recordProof(s.workspace_id, s.id, proof.externalId, meta);
    }
    return proof;
  }

  private recordProof(workspaceId: string, sourceId: string, externalId: string, meta: CommandMetadata) {
    return this.aggregates.source.handle(sourceId, { kind: 'verify-account', workspaceId, externalId, now: meta.now }, { ...meta, commandId: uuidv7(), idempotencyKey: undefined, expectedVersion: undefined });
  }

  /**
   * DELETE: the source stops (its messages stay) and lets go of its account, so the account's
   * owner can connect it in another workspace; reactivated, it proves the account again.
   */
  async deactivate(workspaceId: string, sourceId: string, meta: CommandMetadata): Promise<void> {
    const s = await this.get(workspaceId, sourceId);
    await this.aggregates.source.handle(sourceId, { kind: 'set-active', workspaceId, active: false, now: meta.now }, meta);
    // The named account, proven or not: a retried DELETE after a crash between the two steps still frees it.
    if (s.external_id) await this.releaseAccount(s, s.external_id, meta);
  }

  /** The source first records that it no longer holds the account, then frees the claim (a no-op unless this source holds it). */
  private async releaseAccount(s: SourceRow, externalId: string, meta: CommandMetadata): Promise<void> {
    const m = { ...meta, commandId: uuidv7(), idempotencyKey: undefined, expectedVersion: undefined };
    await this.aggregates.source.handle(s.id, { kind: 'release-account', workspaceId: s.workspace_id, externalId, now: meta.now }, m);
    await this.aggregates.sourceAccounts.release({ kind: s.kind, externalId }, s.id, m);
  }
}

const FOLDER = /^[A-Za-z0-9_=-]{1,256}$/;

/** The kinds that read a linked OAuth account: its provider, and what their config must be. */
const LINKED_ACCOUNT_SOURCES: Partial<Record<SourceKind, { provider: 'google' | 'microsoft'; label: string; configProblems: (config: Record<string, unknown>) => { field: string; message: string }[] }>> = {
  gmail: { provider: 'google', label: 'Google', configProblems: (config) => { const parsed = gmailConfigOf(config); return parsed.ok ? [] : parsed.errors; } },
  microsoft365: { provider: 'microsoft', label: 'Microsoft', configProblems: (config) => microsoft365ConfigProblems(config) },
};

/** config of a microsoft365 source: { oauthAccountId, folders? (well-known names or folder ids), backfillDays? }. */
export function microsoft365ConfigProblems(config: Record<string, unknown>): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  if (typeof config.oauthAccountId !== 'string' || !isUUID(config.oauthAccountId)) errors.push({ field: 'config.oauthAccountId', message: 'oauthAccountId must be the id of a linked Microsoft account' });
  if (config.folders !== undefined && !(Array.isArray(config.folders) && config.folders.length >= 1 && config.folders.length <= 50 && config.folders.every((f) => typeof f === 'string' && FOLDER.test(f)))) {
    errors.push({ field: 'config.folders', message: 'folders must be 1 to 50 mail folder names (well-known names such as inbox, sentitems, archive) or folder ids' });
  }
  if (config.backfillDays !== undefined && !(Number.isInteger(config.backfillDays) && (config.backfillDays as number) >= 1 && (config.backfillDays as number) <= 3650)) {
    errors.push({ field: 'config.backfillDays', message: 'backfillDays must be a whole number of days from 1 to 3650' });
  }
  return errors;
}
