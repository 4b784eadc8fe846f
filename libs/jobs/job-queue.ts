import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { Pool } from 'pg';

export type QueuePolicy = 'standard' | 'short' | 'singleton' | 'stately';
export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
export const JOB_STATES: readonly JobState[] = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'];

export interface JobDefinitionOptions {
  /** Attempts after the first one (default 2). */
  retryLimit?: number;
  /** Seconds before a retry (default 0); with retryBackoff the base of an exponential delay with jitter. */
  retryDelay?: number;
  retryBackoff?: boolean;
  /** A handler running longer is failed (and retried if attempts are left); its `signal` aborts. Default 15 minutes. */
  expireInSeconds?: number;
  /**
   * pg-boss queue policy. `standard`: every job; `short`: at most one queued job per singletonKey;
   * `singleton`: at most one active job per singletonKey (jobs wait their turn); `stately`: both.
   */
  policy?: QueuePolicy;
}

export interface EnqueueOptions {
  /** With a short/singleton/stately queue or with singletonSeconds, a duplicate is not queued (enqueue returns null). */
  singletonKey?: string;
  /** Throttle: one job per key per time slot of this many seconds. */
  singletonSeconds?: number;
  /** A job id (uuid) given by the caller: sending an id that is already queued is a no-op (enqueue returns null). */
  id?: string;
  /** A date, or a delay in seconds. */
  startAfter?: Date | number;
}

export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
  /** 0 on the first attempt. */
  retryCount: number;
  retryLimit: number;
  /** Aborted when the job expires (pg-boss has then already failed it). */
  signal: AbortSignal;
}

export type JobHandler<T = any> = (job: JobContext<T>) => Promise<unknown>;

export interface JobQueueOptions {
  /** Work jobs and run pg-boss maintenance in this process. Off: queues exist and accept jobs, nothing runs here. */
  workers: boolean;
  schema?: string;
  pollingIntervalSeconds?: number;
  /** How often (at most, across processes) expired jobs are failed and old ones archived. */
  maintenanceIntervalSeconds?: number;
  /** On shutdown, time given to running handlers before their jobs are failed (and retried elsewhere). */
  shutdownTimeoutMs?: number;
}

export interface QueuedJob {
  id: string;
  name: string;
  state: JobState;
  retryCount: number;
  createdOn: string;
  startedOn: string | null;
  completedOn: string | null;
  singletonKey: string | null;
  output: unknown;
}

/** Anything with pg's `query`: the app's pool (both backends), or a test double. */
export type SqlPool = Pick<Pool, 'query'>;

interface Definition {
  handler: JobHandler;
  options: JobDefinitionOptions;
  ready?: Promise<void>;
}

/**
 * pg-boss 10 calls complete()/fail() after a handler without awaiting them, so a failed write
 * there (database restart, pool closing) would be an unhandled rejection that stops the process.
 * Those two statements are recognised and their errors logged instead: the job stays active,
 * maintenance expires it and it is retried (at-least-once, as for a crashed worker).
 */
const FIRE_AND_FORGET = [
  /^\s*WITH results AS \(\s*UPDATE \w+\.job\s+SET completed_on = now\(\)/,
  /^\s*WITH deleted_jobs AS \(\s*DELETE FROM \w+\.job\s+WHERE name = \$1 AND id IN/,
];

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,49}$/;

/**
 * The job queue: pg-boss on the app's own pool (`db.executeSql` = `pool.query`), so it runs on
 * the machine's PostgreSQL and on the embedded PGlite alike (one connection there; pg-boss needs
 * neither LISTEN/NOTIFY nor session advisory locks: SKIP LOCKED and transaction-scoped locks only).
 * pg-boss's own cron is off: scheduled jobs are ScheduledJobs's. Handler errors fail the job
 * (retried per its options) and are logged; they never reach the process.
 */
export class JobQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly definitions = new Map<string, Definition>();
  private readonly workerIds = new Map<string, string>();
  private readonly boss: PgBoss;
  private readonly db: PgBoss.Db;
  private starting?: Promise<void>;
  private stopped = false;
  readonly schema: string;

  constructor(
    pool: SqlPool,
    private readonly options: JobQueueOptions,
  ) {
    this.schema = options.schema ?? 'pgboss';
    if (!IDENTIFIER.test(this.schema)) throw new Error(`Invalid job queue schema name "${this.schema}"`);
    const db: PgBoss.Db = (this.db = {
      executeSql: async (text: string, values: any[]) => {
        try {
          return await pool.query(text, values);
        } catch (err) {
          if (!FIRE_AND_FORGET.some((re) => re.test(text))) throw err;
          this.logger.error({ err }, 'recording a job outcome failed; the job will expire and be retried');
          return { rows: [{ count: '0' }] };
        }
      },
    });
    this.boss = new PgBoss({
      db,
      schema: this.schema,
      schedule: false,
      supervise: options.workers,
      migrate: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    });
    // Without a listener EventEmitter would throw pg-boss's (maintenance, fetch) errors at the process.
    this.boss.on('error', (err) => this.logger.error({ err }, 'job queue error'));
  }

  /** Declares a queue and its handler; call before start-up (constructor / onModuleInit) or later. */
  define<T>(name: string, handler: JobHandler<T>, options: JobDefinitionOptions = {}): void {
    if (this.definitions.has(name)) throw new Error(`Job "${name}" is already defined`);
    const def: Definition = { handler, options };
    this.definitions.set(name, def);
    if (this.starting) def.ready = this.starting.then(() => this.setUp(name, def));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Installs or migrates the pg-boss schema, creates the defined queues and starts their workers. Idempotent. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.boss.start();
      for (const [name, def] of this.definitions) {
        def.ready = this.setUp(name, def);
        await def.ready;
      }
      this.logger.log({ queues: [...this.definitions.keys()], workers: this.options.workers }, 'job queue started');
    })();
    return this.starting;
  }

  async stop(): Promise<void> {
    if (!this.starting || this.stopped) return;
    this.stopped = true;
    await this.starting.catch(() => undefined);
    // Graceful: running handlers get the timeout, then their jobs are failed (retried by another process).
    await this.boss.stop({ graceful: true, wait: true, timeout: this.options.shutdownTimeoutMs ?? 10_000 });
  }

  /** Queues a job; null when it was a duplicate (same id, or singletonKey under the queue's policy). */
  async enqueue<T extends object>(name: string, data: T, options: EnqueueOptions = {}): Promise<string | null> {
    const def = this.definitions.get(name);
    if (!def) throw new Error(`Job "${name}" is not defined`);
    if (!this.starting) throw new Error('The job queue is not started');
    await def.ready;
    const send: PgBoss.SendOptions = {};
    if (options.id) send.id = options.id;
    if (options.singletonKey) send.singletonKey = options.singletonKey;
    if (options.singletonSeconds) send.singletonSeconds = options.singletonSeconds;
    if (options.startAfter !== undefined) send.startAfter = options.startAfter;
    const id = await this.boss.send(name, data, send);
    // A worker of this process picks it up now rather than at its next poll.
    const workerId = this.workerIds.get(name);
    if (id && workerId && options.startAfter === undefined) this.boss.notifyWorker(workerId);
    return id;
  }

  async getJob(name: string, id: string): Promise<QueuedJob | null> {
    const res = await this.listJobs({ queue: name, id, limit: 1 });
    return res[0] ?? null;
  }

  /** Jobs of the live table (not the archive), newest first. */
  async listJobs(filter: { queue?: string; state?: JobState; id?: string; limit: number }): Promise<QueuedJob[]> {
    const res = await this.db.executeSql(
      `SELECT id, name, state::text AS state, retry_count AS "retryCount", created_on AS "createdOn",
              started_on AS "startedOn", completed_on AS "completedOn", singleton_key AS "singletonKey", output
         FROM ${this.schema}.job
        WHERE ($1::text IS NULL OR name = $1)
          AND ($2::text IS NULL OR state::text = $2)
          AND ($3::uuid IS NULL OR id = $3)
        ORDER BY created_on DESC, id DESC
        LIMIT $4`,
      [filter.queue ?? null, filter.state ?? null, filter.id ?? null, filter.limit],
    );
    return res.rows.map((r) => ({
      ...r,
      createdOn: iso(r.createdOn)!,
      startedOn: iso(r.startedOn),
      completedOn: iso(r.completedOn),
    }));
  }

  private async setUp(name: string, def: Definition): Promise<void> {
    const { policy = 'standard', retryLimit, retryDelay, retryBackoff, expireInSeconds } = def.options;
    const queue: PgBoss.Queue = { name, policy };
    if (retryLimit !== undefined) queue.retryLimit = retryLimit;
    if (retryDelay !== undefined) queue.retryDelay = retryDelay;
    if (retryBackoff !== undefined) queue.retryBackoff = retryBackoff;
    if (expireInSeconds !== undefined) queue.expireInSeconds = expireInSeconds;
    await this.createQueue(name, queue);
    // create_queue keeps an existing queue as it is: bring its options up to date with the code.
    await this.boss.updateQueue(name, queue);
    if (!this.options.workers || this.stopped) return;
    const workerId = await this.boss.work<any>(
      name,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2 },
      ([job]) => this.handle(name, def, job),
    );
    this.workerIds.set(name, workerId);
  }

  /**
   * pg-boss 10's createQueue is not serialised: two processes creating the same queue at once
   * (every process of a deploy starting together) deadlock on PostgreSQL (one inserts the queue
   * row, the other waits on it, the first's foreign key to the queue table waits on the second).
   * The same call under pg-boss's own transaction-scoped advisory lock, in one statement. On the
   * embedded PGlite statements run one at a time anyway.
   */
  private async createQueue(name: string, queue: PgBoss.Queue): Promise<void> {
    const lockKey = `('x' || encode(sha224((current_database() || '.pgboss.${this.schema}')::bytea), 'hex'))::bit(64)::bigint`;
    await this.db.executeSql(
      `WITH serialised AS (SELECT pg_advisory_xact_lock(${lockKey}))
       SELECT ${this.schema}.create_queue($1, $2::json) FROM serialised`,
      [name, JSON.stringify(queue)],
    );
  }

  private async handle(name: string, def: Definition, job: PgBoss.JobWithMetadata<any>): Promise<unknown> {
    const controller = new AbortController();
    const expireMs = Math.max(1, Number(job.expireInSeconds)) * 1000;
    let timer: NodeJS.Timeout | undefined;
    // pg-boss fails the job at the same moment; racing here too makes the outcome certain (a
    // handler that returns once aborted must not complete an expired job) and aborts the handler.
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`handler execution exceeded ${expireMs}ms`);
        controller.abort(err);
        reject(err);
      }, expireMs);
    });
    try {
      const run = def.handler({
        id: job.id,
        name,
        data: job.data,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
        signal: controller.signal,
      });
      return (await Promise.race([run, expired])) ?? null;
    } catch (err) {
      const willRetry = job.retryCount < job.retryLimit;
      this.logger.warn({ job: name, id: job.id, attempt: job.retryCount + 1, willRetry, err }, 'job failed');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}
