import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob, CronTime } from 'cron';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { JobQueue, SqlPool } from './job-queue';
import { UnknownJobError } from './jobs.errors';

export type RunTrigger = 'schedule' | 'manual';
export type RunStatus = 'running' | 'ok' | 'failed';

export interface ScheduledRunContext {
  name: string;
  runId: string;
  trigger: RunTrigger;
  /** The cron slot (ISO) a scheduled run belongs to; null for a manual run. */
  slot: string | null;
  /** 1 on the first attempt of the job. */
  attempt: number;
  /** Aborted when the run outlives expireInSeconds. */
  signal: AbortSignal;
}

export interface ScheduledRunResult {
  processed?: number;
  meta?: Record<string, unknown>;
}

export interface ScheduledJobDefinition {
  /** Stable name, e.g. `event-partitions.ensure-ahead`. */
  name: string;
  /** Cron expression evaluated in UTC: 5 fields (minute slots) or 6 with seconds (second slots). */
  cron: string;
  description?: string;
  run: (ctx: ScheduledRunContext) => Promise<ScheduledRunResult | void>;
  /** Attempts after a failed run (default 0: the next tick is the retry). Each attempt is its own worker_runs row. */
  retryLimit?: number;
  retryDelay?: number;
  expireInSeconds?: number;
}

export interface ScheduledJobsOptions {
  /** Start the crons in this process (RUN_JOBS). Off: rows and queues exist and manual runs are queued. */
  crons: boolean;
}

export interface WorkerRun {
  id: string;
  jobName: string;
  jobId: string | null;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  processed: number;
  error: string | null;
  meta: Record<string, unknown>;
}

export interface ScheduledJobInfo {
  name: string;
  schedule: string;
  description: string;
  enabled: boolean;
  lastRun: Pick<WorkerRun, 'status' | 'startedAt' | 'finishedAt' | 'processed' | 'error'> | null;
  nextRunAt: string | null;
}

/** A registered job: its definition, cron, this process's timer, and its set-up once the queue started. */
interface JobEntry {
  def: ScheduledJobDefinition;
  time: CronTime;
  cron?: CronJob;
  ready?: Promise<void>;
}

interface RunPayload {
  trigger: RunTrigger;
  slot: string | null;
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,99}$/i;
/** Namespace of the deterministic job ids of cron ticks (uuid v5 of `<name>@<slot>`). */
const TICK_NAMESPACE = '6f1d4a8e-2c3b-4f5e-9a7d-0b1c2d3e4f50';
const TZ = 'UTC';
const MAX_ERROR = 4000;

/**
 * Cron jobs recorded in `scheduled_jobs` and `worker_runs`, run as pg-boss jobs.
 *
 * Once across processes: every process runs the cron; on a tick each one sends the job with the
 * SAME id, a uuid v5 of (name, the tick's slot: the scheduled time floored to the cron's
 * granularity). pg-boss inserts with ON CONFLICT DO NOTHING on (queue, id), so the first send
 * queues the job and the others are no-ops: one job, one run, whichever process works it.
 * The queue has pg-boss's `singleton` policy, so a manual run and a scheduled one (or two slots
 * of a run longer than its period) never overlap either. A process that is down at a tick does
 * not matter as long as one is up; if all are down the slot is missed (no catch-up).
 */
export class ScheduledJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ScheduledJobs');
  private readonly jobs = new Map<string, JobEntry>();
  /** Queues defined so far: a job registered again after `unregister` keeps its queue (pg-boss queues are not removed). */
  private readonly queues = new Set<string>();
  private booted?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly pool: SqlPool,
    private readonly queue: JobQueue,
    private readonly scheduler: SchedulerRegistry | undefined,
    private readonly options: ScheduledJobsOptions,
  ) {}

  static queueName(name: string): string {
    return `scheduled.${name}`;
  }

  /** Registers a scheduled job; call from a constructor or onModuleInit (later works too). */
  register(def: ScheduledJobDefinition): void {
    if (!NAME.test(def.name)) throw new Error(`Invalid scheduled job name "${def.name}"`);
    if (this.jobs.has(def.name)) throw new Error(`Scheduled job "${def.name}" is already registered`);
    const fields = def.cron.trim().split(/\s+/).length;
    const check = CronTime.validateCronExpression(def.cron);
    if (!check.valid || fields < 5 || fields > 6) throw new Error(`Invalid cron "${def.cron}" for ${def.name}: ${check.error?.message ?? '5 or 6 fields'}`);
    const entry: JobEntry = { def, time: new CronTime(def.cron, TZ) };
    this.jobs.set(def.name, entry);
    if (!this.queues.has(def.name)) {
      this.queues.add(def.name);
      this.queue.define<RunPayload>(
        ScheduledJobs.queueName(def.name),
        async (job) => {
          // The definition registered now: a job unregistered since it was queued has nothing to run.
          const current = this.jobs.get(def.name);
          if (!current) return { skipped: 'unregistered' };
          return this.execute(current.def, job.id, job.data, job.retryCount, job.signal);
        },
        {
          policy: 'singleton',
          retryLimit: def.retryLimit ?? 0,
          retryDelay: def.retryDelay ?? 30,
          retryBackoff: true,
          expireInSeconds: def.expireInSeconds ?? 15 * 60,
        },
      );
    }
    if (this.booted) entry.ready = this.booted.then(() => this.setUp(entry)).catch((err) => this.logger.error({ err, job: def.name }, 'scheduling failed'));
  }

  /**
   * Stops a job registered at run time (e.g. an AI agent's schedule, removed or changed) in this
   * process: its cron, its row in `scheduled_jobs` (its runs stay). Registering the name again
   * (a new cron) reuses its queue. Other processes drop it when they next reconcile their own.
   */
  async unregister(name: string): Promise<boolean> {
    const entry = this.jobs.get(name);
    if (!entry) return false;
    this.jobs.delete(name);
    if (entry.cron) {
      void entry.cron.stop();
      entry.cron = undefined;
    }
    if (this.scheduler?.doesExist('cron', cronKey(name))) this.scheduler.deleteCronJob(cronKey(name));
    await this.pool.query(`DELETE FROM scheduled_jobs WHERE name = $1`, [name]);
    return true;
  }

  /** Resolves once a job registered after start-up has its row and cron (at once for one registered before). */
  async settled(name: string): Promise<void> {
    await this.jobs.get(name)?.ready;
  }

  /** Whether `name` is registered in this process, and with which cron. */
  registered(name: string): { cron: string } | null {
    const entry = this.jobs.get(name);
    return entry ? { cron: entry.def.cron } : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop();
  }

  start(): Promise<void> {
    this.booted ??= (async () => {
      await this.queue.start();
      for (const entry of this.jobs.values()) await this.setUp(entry);
    })();
    return this.booted;
  }

  /** Stops this process's crons (the queue is stopped by its owner). */
  stop(): void {
    this.stopped = true;
    for (const [name, entry] of this.jobs) {
      if (!entry.cron) continue;
      void entry.cron.stop();
      entry.cron = undefined;
      if (this.scheduler?.doesExist('cron', cronKey(name))) this.scheduler.deleteCronJob(cronKey(name));
    }
  }

  /**
   * One cron tick: queues the run of the slot `at` falls in. Every process calls this at the same
   * slot and all but one get null (the job already exists). Returns the job id when this call queued it.
   */
  async tick(name: string, at: Date = new Date()): Promise<string | null> {
    const entry = this.jobs.get(name);
    if (!entry) throw new UnknownJobError(name);
    const slot = slotOf(at, entry.def.cron).toISOString();
    const res = await this.pool.query<{ enabled: boolean }>(
      `UPDATE scheduled_jobs SET next_run_at = $2, updated_at = now() WHERE name = $1 RETURNING enabled`,
      [name, this.nextRunAt(entry.time)],
    );
    if (res.rows[0] && !res.rows[0].enabled) return null;
    return this.queue.enqueue<RunPayload>(ScheduledJobs.queueName(name), { trigger: 'schedule', slot }, { id: uuidv5(`${name}@${slot}`, TICK_NAMESPACE) });
  }

  /** Queues a manual run now (it waits if a run of the same job is active). */
  async runNow(name: string): Promise<string> {
    if (!this.jobs.has(name)) throw new UnknownJobError(name);
    const id = await this.queue.enqueue<RunPayload>(ScheduledJobs.queueName(name), { trigger: 'manual', slot: null }, { id: uuidv7() });
    if (!id) throw new Error(`The run of ${name} was not queued`);
    return id;
  }

  /** The registered jobs with their row (enabled), last run and next run. */
  async list(): Promise<ScheduledJobInfo[]> {
    const names = [...this.jobs.keys()].sort();
    const res = await this.pool.query(
      `SELECT s.name, s.schedule, s.description, s.enabled,
              r.status, r.started_at, r.finished_at, r.processed_count, r.error
         FROM scheduled_jobs s
         LEFT JOIN LATERAL (
           SELECT w.status, w.started_at, w.finished_at, w.processed_count, w.error
             FROM worker_runs w WHERE w.job_name = s.name
            ORDER BY w.started_at DESC, w.id DESC LIMIT 1
         ) r ON true
        WHERE s.name = ANY($1::text[])
        ORDER BY s.name`,
      [names],
    );
    return res.rows.map((r) => ({
      name: r.name,
      schedule: r.schedule,
      description: r.description,
      enabled: r.enabled,
      lastRun: r.status
        ? { status: r.status, startedAt: toIso(r.started_at)!, finishedAt: toIso(r.finished_at), processed: r.processed_count, error: r.error }
        : null,
      // From the cron itself, so it is right even where no process runs the crons.
      nextRunAt: r.enabled ? this.nextRunAt(this.jobs.get(r.name)!.time).toISOString() : null,
    }));
  }

  /** Runs of one job, newest first, keyset-paged by (started_at, id). */
  async runs(name: string, page: { limit: number; cursor?: string }): Promise<{ items: WorkerRun[]; nextCursor: string | null }> {
    if (!this.jobs.has(name)) throw new UnknownJobError(name);
    const [afterAt, afterId] = page.cursor ? runCursor.decode(page.cursor) : [null, null];
    const res = await this.pool.query(
      `SELECT id, job_name, job_id, status, started_at, finished_at, processed_count, error, meta,
              to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_key
         FROM worker_runs
        WHERE job_name = $1
          AND ($2::timestamptz IS NULL OR (started_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY started_at DESC, id DESC
        LIMIT $4`,
      [name, afterAt, afterId, page.limit + 1],
    );
    const rows = res.rows.slice(0, page.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({
        id: r.id,
        jobName: r.job_name,
        jobId: r.job_id,
        status: r.status,
        startedAt: toIso(r.started_at)!,
        finishedAt: toIso(r.finished_at),
        processed: r.processed_count,
        error: r.error,
        meta: r.meta,
      })),
      nextCursor: res.rows.length > page.limit ? runCursor.encode([last.started_key, last.id]) : null,
    };
  }

  private nextRunAt(time: CronTime): Date {
    return time.getNextDateFrom(new Date(), TZ).toJSDate();
  }

  private async setUp(entry: JobEntry): Promise<void> {
    const { def } = entry;
    // Unregistered (or registered anew) before its set-up ran.
    if (this.jobs.get(def.name) !== entry) return;
    // `enabled` is the operator's: a deploy refreshes the schedule and description, never re-enables.
    await this.pool.query(
      `INSERT INTO scheduled_jobs (name, schedule, description, next_run_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE
          SET schedule = EXCLUDED.schedule, description = EXCLUDED.description,
              next_run_at = EXCLUDED.next_run_at, updated_at = now()`,
      [def.name, def.cron, def.description ?? '', this.nextRunAt(entry.time)],
    );
    if (!this.options.crons || this.stopped || entry.cron) return;
    const cron = CronJob.from({
      cronTime: def.cron,
      timeZone: TZ,
      onTick: () => {
        this.tick(def.name).catch((err) => this.logger.error({ err, job: def.name }, 'queuing a scheduled run failed'));
      },
    });
    entry.cron = cron;
    this.scheduler?.addCronJob(cronKey(def.name), cron);
    cron.start();
  }

  /** The worker of a scheduled job's queue: one worker_runs row per attempt around `run`. */
  private async execute(def: ScheduledJobDefinition, jobId: string, data: RunPayload, retryCount: number, signal: AbortSignal): Promise<{ runId: string; processed: number }> {
    const runId = uuidv7();
    const meta = { trigger: data.trigger, slot: data.slot, attempt: retryCount + 1 };
    // An earlier attempt of this job still "running" was abandoned (its process died, the job expired).
    await this.pool.query(
      `UPDATE worker_runs SET status = 'failed', finished_at = now(), error = 'abandoned: the run did not finish (process stopped or job expired)'
        WHERE job_name = $1 AND job_id = $2 AND status = 'running'`,
      [def.name, jobId],
    );
    await this.pool.query(
      `INSERT INTO worker_runs (id, job_name, job_id, status, meta) VALUES ($1, $2, $3, 'running', $4)`,
      [runId, def.name, jobId, JSON.stringify(meta)],
    );
    await this.pool.query(`UPDATE scheduled_jobs SET last_run_at = now(), updated_at = now() WHERE name = $1`, [def.name]);
    let result: ScheduledRunResult;
    try {
      result = (await def.run({ name: def.name, runId, trigger: data.trigger, slot: data.slot, attempt: meta.attempt, signal })) ?? {};
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.pool.query(
        `UPDATE worker_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`,
        [runId, message.slice(0, MAX_ERROR)],
      );
      throw err;
    }
    const processed = Number.isFinite(result.processed) ? Math.max(0, Math.trunc(result.processed!)) : 0;
    // The run's own meta is added; trigger, slot and attempt stay ours.
    await this.pool.query(
      `UPDATE worker_runs SET status = 'ok', finished_at = now(), processed_count = $2, meta = $3::jsonb || meta WHERE id = $1`,
      [runId, processed, JSON.stringify(result.meta ?? {})],
    );
    return { runId, processed };
  }
}

function cronKey(name: string): string {
  return `scheduled-job:${name}`;
}

/** The scheduled time a tick at `at` belongs to: floored to the second (6-field cron) or the minute. */
export function slotOf(at: Date, cron: string): Date {
  const unit = cron.trim().split(/\s+/).length === 6 ? 1000 : 60_000;
  return new Date(Math.floor(at.getTime() / unit) * unit);
}

function toIso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}

/** Keyset of a job's runs: (started_at in UTC to the microsecond, run id). */
const runCursor = cursorCodec('jobs.scheduled-runs', z.tuple([cursorPart.timestamp, cursorPart.uuid]));
