import { DynamicModule, Global, Module } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Pool } from 'pg';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { PG_POOL } from '@libs/database/database-backend';
import { EventPartitionsJob } from './event-partitions.job';
import { IdempotencyKeysPurgeJob } from './idempotency-keys.job';
import { JobQueue } from './job-queue';
import { jobsErrorStatuses } from './jobs.errors';
import { ScheduledJobs } from './scheduled-jobs';

registerErrorStatuses(jobsErrorStatuses);

export interface JobsModuleOptions {
  /** Work jobs and run the crons in this process (RUN_JOBS). Off: jobs can still be queued, for other processes. */
  enabled: boolean;
  pollingIntervalSeconds?: number;
  shutdownTimeoutMs?: number;
}

/**
 * Background jobs (pg-boss on the app's pool, schema `pgboss`) and scheduled jobs recorded in
 * `scheduled_jobs` / `worker_runs`. Needs the global DatabaseModule, EventStoreModule and
 * ScheduleModule. Other modules inject JobQueue (define/enqueue) or ScheduledJobs (register) and
 * declare their jobs in a constructor or onModuleInit.
 */
@Global()
@Module({})
export class JobsModule {
  static forRoot(options: JobsModuleOptions): DynamicModule {
    return {
      module: JobsModule,
      providers: [
        {
          provide: JobQueue,
          inject: [PG_POOL],
          useFactory: (pool: Pool) =>
            new JobQueue(pool, {
              workers: options.enabled,
              pollingIntervalSeconds: options.pollingIntervalSeconds,
              shutdownTimeoutMs: options.shutdownTimeoutMs,
            }),
        },
        {
          provide: ScheduledJobs,
          inject: [PG_POOL, JobQueue, SchedulerRegistry],
          useFactory: (pool: Pool, queue: JobQueue, scheduler: SchedulerRegistry) => new ScheduledJobs(pool, queue, scheduler, { crons: options.enabled }),
        },
        EventPartitionsJob,
        IdempotencyKeysPurgeJob,
      ],
      exports: [JobQueue, ScheduledJobs],
    };
  }
}
