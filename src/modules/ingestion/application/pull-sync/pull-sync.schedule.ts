import { Inject, Injectable } from '@nestjs/common';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { PullSyncService } from './pull-sync.service';

export const PULL_SYNC_JOB = 'ingestion.pull-sync';

/**
 * The scheduled pull sync (PULL_SYNC_CRON, every 15 minutes by default): every active chatwoot,
 * gong and imap source, recorded in worker_runs with the messages stored as `processed`. A run cut
 * short (expiry, shutdown) loses nothing: each source resumes at its watermark next time.
 */
@Injectable()
export class PullSyncSchedule {
  constructor(scheduled: ScheduledJobs, sync: PullSyncService, @Inject(APP_CONFIG) config: AppConfig) {
    scheduled.register({
      name: PULL_SYNC_JOB,
      cron: config.PULL_SYNC_CRON,
      description: 'Pulls new messages of every active Chatwoot, Gong and IMAP source from its sync watermark',
      run: async (ctx) => sync.syncAll(ctx.runId, ctx.signal),
    });
  }
}
