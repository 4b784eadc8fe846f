import { Inject, Injectable } from '@nestjs/common';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { PullSyncService } from './pull-sync.service';

export const PULL_SYNC_JOB = 'ingestion.pull-sync';

/**
 * The pull sync scheduler (PULL_SYNC_CRON, every minute by default): starts the active pulled
 * sources that are DUE (last attempt + their syncIntervalMinutes), as many of a kind as
 * PULL_SYNC_CONCURRENCY allows, recorded in worker_runs with the messages stored by the syncs
 * that ended while it waited as `processed`. A sync cut short (shutdown, lost lease) loses
 * nothing: it resumes at its watermark next time.
 */
@Injectable()
export class PullSyncSchedule {
  constructor(scheduled: ScheduledJobs, sync: PullSyncService, @Inject(APP_CONFIG) config: AppConfig) {
    scheduled.register({
      name: PULL_SYNC_JOB,
      cron: config.PULL_SYNC_CRON,
      description: 'Starts the pull sync of every due source (its own interval) from its watermark, within the per-provider concurrency',
      run: async (ctx) => sync.syncAll(ctx.runId, ctx.signal),
    });
  }
}
