import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { OAuthAccessTokens } from '@modules/identity/contracts';
import { LeaseManager } from '@libs/database/coordination/coordination.port';
import { PG_POOL } from '@libs/database/database-backend';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { ConversationWriter } from '@modules/ingestion/infrastructure/conversation-writer';
import { ConnectorHttp } from '@modules/ingestion/infrastructure/connectors/connector-http';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import type { SourceRow } from '@modules/ingestion/projections/sources.projection';
import { SourcesHandler } from '@modules/ingestion/application/sources/sources.handler';
import { PullSyncError, PullSyncErrorCode } from './pull-sync.errors';
import { PULL_SOURCE_KINDS, PullSource, PullSourceKind, SyncRunner, SyncSummary } from './sync-runner';
import { createSyncRunners } from './sync-runner.registry';

export const PULL_SYNC_LEASE_TTL_MS = 60_000;
const SHUTDOWN_WAIT_MS = 10_000;

export interface PullSyncAllResult {
  /** Messages stored by the run, all sources together. */
  processed: number;
  meta: { sources: number; completed: string[]; failed: { sourceId: string; error: string | null }[]; busy: string[] };
}

interface Running {
  controller: AbortController;
  done: Promise<SyncSummary | null>;
}

/**
 * Starts pull syncs: on demand (in the background, answering the job id at once) and for the
 * scheduled job (every active pull source with credentials or a linked account, one after the other). One sync of a source
 * at a time, across processes: a lease per source (renewed while the sync runs; lost, the sync
 * stops) plus this process's own map, since a lease holder may renew its own lease.
 */
@Injectable()
export class PullSyncService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('PullSync');
  private readonly runners: Record<PullSourceKind, SyncRunner>;
  private readonly running = new Map<string, Running>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    writer: MessageWriter,
    aggregates: IngestionAggregates,
    credentials: SourceCredentials,
    conversations: ConversationWriter,
    private readonly sources: SourcesHandler,
    private readonly leases: LeaseManager,
    net: ConnectorHttp,
    oauthTokens: OAuthAccessTokens,
  ) {
    this.runners = createSyncRunners({
      pool,
      writer,
      aggregates,
      credentials,
      conversations,
      http: net.options(),
      slackApiBase: net.slackApiBase,
      oauthTokens,
      gmailApiBase: net.gmailApiBase,
      graphApiBase: net.graphApiBase,
      fathomApiBase: net.fathomApiBase,
      verifyAccount: (source, meta) => this.sources.ensureVerified(source.workspaceId, source.id, meta),
    });
  }

  /** POST .../sources/:sourceId/sync: 404 for another workspace's source, 409 while one runs. */
  async start(workspaceId: string, sourceId: string, meta: CommandMetadata): Promise<{ jobId: string }> {
    const row = await this.sources.get(workspaceId, sourceId);
    const source = pullSource(row);
    if (!row.is_active) throw new IngestionError(IngestionErrorCode.SourceInactive, 'The source is deactivated');
    const controller = await this.claim(source.id);
    if (!controller) throw new PullSyncError(PullSyncErrorCode.AlreadyRunning, 'A sync of this source is already running', { sourceId });
    let handle;
    try {
      handle = await this.runners[source.kind].open(source, { meta });
    } catch (err) {
      await this.release(source.id);
      throw err;
    }
    this.track(source.id, controller, this.runners[source.kind].execute(handle, controller.signal));
    return { jobId: handle.jobId };
  }

  /** The scheduled run: every active pull source with credentials (or, for linked-account kinds, without), least recently synced first. */
  async syncAll(runId: string, signal?: AbortSignal): Promise<PullSyncAllResult> {
    const r = await this.pool.query<SourceRow>(
      `SELECT * FROM ingestion_sources_view
        WHERE kind = ANY($1::text[]) AND is_active AND (credentials_ciphertext IS NOT NULL OR kind = ANY($2::text[]))
        ORDER BY last_synced_at NULLS FIRST, created_at`,
      // Kinds reading a linked account (gmail) have no credentials of their own.
      [PULL_SOURCE_KINDS, Object.values(this.runners).filter((r) => r.usesLinkedAccount).map((r) => r.kind)],
    );
    const result: PullSyncAllResult = { processed: 0, meta: { sources: r.rows.length, completed: [], failed: [], busy: [] } };
    for (const row of r.rows) {
      if (signal?.aborted) break;
      const source = pullSource(row);
      const controller = await this.claim(source.id);
      if (!controller) {
        result.meta.busy.push(source.id);
        continue;
      }
      const stop = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', stop, { once: true });
      const meta: CommandMetadata = { commandId: uuidv7(), workspaceId: source.workspaceId, actorId: null, correlationId: runId, now: new Date() };
      let notPulled = false;
      const done = this.runners[source.kind].run(source, { meta, signal: controller.signal }).catch((err: unknown) => {
        // A source of a pulled kind that is not pulled (a Slack source without a bot token): nothing to do.
        if (err instanceof PullSyncError && err.code === PullSyncErrorCode.NotSupported) {
          notPulled = true;
          return null;
        }
        // A refusal before the job started (e.g. credentials that no longer open).
        this.logger.warn({ err, sourceId: source.id }, 'scheduled pull sync could not start');
        return null;
      });
      this.track(source.id, controller, done);
      const summary = await done;
      signal?.removeEventListener('abort', stop);
      if (notPulled) {
        result.meta.sources--;
      } else if (summary?.status === 'completed') {
        result.processed += summary.stored;
        result.meta.completed.push(source.id);
      } else {
        result.meta.failed.push({ sourceId: source.id, error: summary?.error ?? 'could not start' });
      }
    }
    return result;
  }

  /** Stops a sync of the source running in this process (its job fails with `reason`); false when none runs here. */
  cancel(sourceId: string, reason: string): boolean {
    const r = this.running.get(sourceId);
    if (!r) return false;
    r.controller.abort(new Error(reason));
    return true;
  }

  /** Whether a sync of the source runs in this process. */
  isRunning(sourceId: string): boolean {
    return this.running.has(sourceId);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort(new Error('the application is shutting down'));
    await Promise.race([Promise.allSettled(all.map((r) => r.done)), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
  }

  /** Takes the source: this process's map first, then the lease (another process may hold it). */
  private async claim(sourceId: string): Promise<AbortController | null> {
    if (this.running.has(sourceId)) return null;
    const controller = new AbortController();
    // Reserve locally before the await, so two requests of this process cannot both pass.
    this.running.set(sourceId, { controller, done: Promise.resolve(null) });
    try {
      if (await this.leases.tryAcquire(leaseName(sourceId), PULL_SYNC_LEASE_TTL_MS)) return controller;
    } catch (err) {
      this.running.delete(sourceId);
      throw err;
    }
    this.running.delete(sourceId);
    return null;
  }

  private track(sourceId: string, controller: AbortController, run: Promise<SyncSummary | null>): void {
    // Renewed well within the TTL; a lease lost (the database was unreachable for a TTL) stops this sync.
    const renew = setInterval(() => {
      this.leases
        .tryAcquire(leaseName(sourceId), PULL_SYNC_LEASE_TTL_MS)
        .then((held) => {
          if (!held) controller.abort(new Error('the sync lease was lost'));
        })
        .catch((err) => this.logger.warn({ err, sourceId }, 'renewing the sync lease failed'));
    }, PULL_SYNC_LEASE_TTL_MS / 3);
    renew.unref();
    const done = run.finally(async () => {
      clearInterval(renew);
      await this.release(sourceId);
    });
    this.running.set(sourceId, { controller, done });
    done.catch((err) => this.logger.error({ err, sourceId }, 'pull sync crashed'));
  }

  private async release(sourceId: string): Promise<void> {
    this.running.delete(sourceId);
    await this.leases.release(leaseName(sourceId)).catch((err) => this.logger.warn({ err, sourceId }, 'releasing the sync lease failed'));
  }
}

const leaseName = (sourceId: string) => `ingestion.pull-sync:${sourceId}`;

function pullSource(row: SourceRow): PullSource {
  if (!(PULL_SOURCE_KINDS as readonly string[]).includes(row.kind)) {
    throw new PullSyncError(PullSyncErrorCode.NotSupported, `A ${row.kind} source is not pulled: it sends its messages (webhooks, imports)`, { kind: row.kind });
  }
  return { id: row.id, workspaceId: row.workspace_id, kind: row.kind as PullSourceKind, credentialsCiphertext: row.credentials_ciphertext, config: row.config ?? {} };
}
