import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Pool } from 'pg';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
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
import { SyncSlot, SyncSlots } from './sync-concurrency';
import { describeSyncFailure, SyncFailure } from './sync-failure';
import { dueSources } from './sync-schedule';

export const PULL_SYNC_LEASE_TTL_MS = 60_000;
const SHUTDOWN_WAIT_MS = 10_000;
/** How long a scheduled run waits for the syncs it started before it reports (longer ones go on: their jobs tell). */
export const TICK_REPORT_WAIT_MS = 45_000;

export interface PullSyncAllResult {
  /** Messages stored by the syncs that ended while the run waited. */
  processed: number;
  meta: {
    /** Sources due (a webhook-only source of a pulled kind is not counted). */
    sources: number;
    completed: string[];
    failed: { sourceId: string; code: string | null; error: string | null }[];
    /** A sync of the source was already running (here or in another process). */
    busy: string[];
    /** No slot of the kind was free (PULL_SYNC_CONCURRENCY): due still, they start at a later tick. */
    waiting: string[];
    /** Started, still running when the run reported. */
    running: string[];
  };
}

interface Running {
  controller: AbortController;
  done: Promise<SyncSummary | null>;
}

/**
 * Starts pull syncs: on demand (in the background, answering the job id at once) and for the
 * scheduled job (the sources DUE, with credentials or a linked account: last attempt + their interval, see sync-schedule.ts). One sync
 * of a source at a time, across processes: a lease per source (renewed while the sync runs;
 * lost, the sync stops) plus this process's own map, since a lease holder may renew its own
 * lease. Syncs of one provider kind run at most PULL_SYNC_CONCURRENCY at once (SyncSlots).
 */
@Injectable()
export class PullSyncService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('PullSync');
  private readonly runners: Record<PullSourceKind, SyncRunner>;
  /** Kinds that read a linked OAuth account: their sources have no credentials of their own. */
  private readonly linkedAccountKinds: PullSourceKind[];
  private readonly running = new Map<string, Running>();
  private readonly slots: SyncSlots;
  private readonly defaultIntervalMinutes: number;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    writer: MessageWriter,
    private readonly aggregates: IngestionAggregates,
    credentials: SourceCredentials,
    conversations: ConversationWriter,
    private readonly sources: SourcesHandler,
    private readonly leases: LeaseManager,
    net: ConnectorHttp,
    oauthTokens: OAuthAccessTokens,
    @Inject(APP_CONFIG) config: AppConfig,
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
    this.linkedAccountKinds = Object.values(this.runners).filter((r) => r.usesLinkedAccount).map((r) => r.kind);
    this.slots = new SyncSlots(leases, { perKind: config.PULL_SYNC_CONCURRENCY, maxTotal: config.PULL_SYNC_MAX_CONCURRENT, leaseTtlMs: PULL_SYNC_LEASE_TTL_MS });
    this.defaultIntervalMinutes = config.PULL_SYNC_DEFAULT_INTERVAL_MINUTES;
  }

  /**
   * POST .../sources/:sourceId/sync: 404 for another workspace's source, 409 while one runs.
   * The job starts at once; when its kind has no free slot it waits for one (queued, like a
   * scheduled source: the answer is still 202 with the job id).
   */
  async start(workspaceId: string, sourceId: string, meta: CommandMetadata): Promise<{ jobId: string }> {
    const row = await this.sources.get(workspaceId, sourceId);
    const source = pullSource(row);
    if (!row.is_active) throw new IngestionError(IngestionErrorCode.SourceInactive, 'The source is deactivated');
    const controller = await this.claim(source.id);
    if (!controller) throw new PullSyncError(PullSyncErrorCode.AlreadyRunning, 'A sync of this source is already running', { sourceId });
    const runner = this.runners[source.kind];
    let handle;
    try {
      handle = await runner.open(source, { meta });
    } catch (err) {
      await this.release(source.id);
      throw err;
    }
    const slot: { held: SyncSlot | null } = { held: null };
    const run = (async () => {
      try {
        slot.held = await this.slots.take(source.kind, controller.signal);
      } catch {
        // Stopped while queued (shutdown): the job ends as interrupted, nothing was pulled.
      }
      return runner.execute(handle, controller.signal);
    })();
    this.track(source.id, controller, run, slot);
    return { jobId: handle.jobId };
  }

  /**
   * The scheduled run: starts every DUE source (never attempted first, then the longest
   * overdue) that has a free slot of its kind, and reports what ended within TICK_REPORT_WAIT_MS.
   * The syncs do not belong to the run: its expiry does not stop them (a shutdown does) and a
   * long one does not hold back the next tick, so each source keeps its own rhythm.
   */
  async syncAll(runId: string, signal?: AbortSignal): Promise<PullSyncAllResult> {
    const r = await this.pool.query<SourceRow>(
      `SELECT * FROM ingestion_sources_view
        WHERE kind = ANY($1::text[]) AND is_active AND (credentials_ciphertext IS NOT NULL OR kind = ANY($2::text[]))`,
      // Kinds reading a linked account (gmail, microsoft365) have no credentials of their own.
      [PULL_SOURCE_KINDS, this.linkedAccountKinds],
    );
    const due = dueSources(r.rows, new Date(), this.defaultIntervalMinutes);
    const result: PullSyncAllResult = { processed: 0, meta: { sources: due.length, completed: [], failed: [], busy: [], waiting: [], running: [] } };
    const started: { sourceId: string; done: Promise<SyncSummary | 'not-pulled' | SyncFailure> }[] = [];
    for (const row of due) {
      if (signal?.aborted) break;
      const source = pullSource(row);
      const slot = await this.slots.tryTake(source.kind);
      if (!slot) {
        result.meta.waiting.push(source.id);
        continue;
      }
      const controller = await this.claim(source.id);
      if (!controller) {
        await this.slots.release(slot);
        result.meta.busy.push(source.id);
        continue;
      }
      const meta: CommandMetadata = { commandId: uuidv7(), workspaceId: source.workspaceId, actorId: null, correlationId: runId, now: new Date() };
      let outcome: 'not-pulled' | SyncFailure | null = null;
      const done = this.runners[source.kind].run(source, { meta, signal: controller.signal }).catch(async (err: unknown) => {
        // A source of a pulled kind that is not pulled (a Slack source without a bot token): nothing to do.
        if (err instanceof PullSyncError && err.code === PullSyncErrorCode.NotSupported) {
          outcome = 'not-pulled';
          return null;
        }
        // Refused before the job started (credentials that no longer open): the source says what to do, and waits its interval.
        outcome = await this.recordRefusal(source, err, meta);
        return null;
      });
      this.track(source.id, controller, done, { held: slot });
      started.push({ sourceId: source.id, done: done.then((s) => s ?? outcome ?? 'not-pulled') });
    }
    const settled = new Map<string, SyncSummary | 'not-pulled' | SyncFailure>();
    const all = Promise.all(started.map(({ sourceId, done }) => done.then((s) => void settled.set(sourceId, s))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise((resolve) => {
        timer = setTimeout(resolve, TICK_REPORT_WAIT_MS);
        signal?.addEventListener('abort', resolve, { once: true });
      }),
    ]);
    clearTimeout(timer);
    for (const { sourceId } of started) {
      const s = settled.get(sourceId);
      if (s === undefined) result.meta.running.push(sourceId);
      else if (s === 'not-pulled') result.meta.sources--;
      else if (!('status' in s)) result.meta.failed.push({ sourceId, code: s.code, error: s.message });
      else if (s.status === 'completed') {
        result.processed += s.stored;
        result.meta.completed.push(sourceId);
      } else result.meta.failed.push({ sourceId, code: s.errorCode ?? null, error: s.error });
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

  /** A refusal before any job: the source's sync error says what to do (never the error's own text unless it is ours). */
  private async recordRefusal(source: PullSource, err: unknown, meta: CommandMetadata): Promise<SyncFailure> {
    const failure = describeSyncFailure(err, source.kind);
    this.logger.warn({ sourceId: source.id, kind: source.kind, code: failure.code, error: failure.message }, 'scheduled pull sync could not start');
    // An attempt that started and failed at once: the source waits its interval from it rather than being tried every tick.
    for (const status of ['syncing', 'error'] as const) {
      const command = { kind: 'set-sync-status' as const, status, error: status === 'error' ? failure.message : null, errorCode: status === 'error' ? failure.code : null, now: new Date() };
      await this.aggregates.source
        .handle(source.id, command, { ...meta, commandId: uuidv7() })
        .catch((recordErr) => this.logger.error({ err: recordErr, sourceId: source.id }, 'recording the refused sync failed'));
    }
    return failure;
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

  private track(sourceId: string, controller: AbortController, run: Promise<SyncSummary | null>, slot: { held: SyncSlot | null }): void {
    // Renewed well within the TTL; a lease lost (the database was unreachable for a TTL) stops this sync.
    const renew = setInterval(() => {
      const renewals = [this.leases.tryAcquire(leaseName(sourceId), PULL_SYNC_LEASE_TTL_MS), slot.held ? this.slots.renew(slot.held) : Promise.resolve(true)];
      Promise.all(renewals)
        .then(([source, kind]) => {
          if (!source || !kind) controller.abort(new Error('the sync lease was lost'));
        })
        .catch((err) => this.logger.warn({ err, sourceId }, 'renewing the sync lease failed'));
    }, PULL_SYNC_LEASE_TTL_MS / 3);
    renew.unref();
    const done = run.finally(async () => {
      clearInterval(renew);
      if (slot.held) await this.slots.release(slot.held).catch((err) => this.logger.warn({ err, sourceId }, 'releasing the sync slot failed'));
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
