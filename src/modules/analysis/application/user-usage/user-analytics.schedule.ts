import { Injectable } from '@nestjs/common';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { UserAnalyticsRollup } from './user-analytics-rollup';

export const USER_ANALYTICS_JOB = 'analysis.user-analytics-rollup';

/** Every 5 minutes (in processes with RUN_JOBS): today's and yesterday's usage per user, recomputed. */
@Injectable()
export class UserAnalyticsSchedule {
  constructor(scheduled: ScheduledJobs, rollup: UserAnalyticsRollup) {
    scheduled.register({
      name: USER_ANALYTICS_JOB,
      cron: '*/5 * * * *',
      description: 'Recomputes AI queries and tokens per user per day (analysis_user_analytics) for today and yesterday from llm_usage_logs',
      expireInSeconds: 10 * 60,
      run: async () => ({ processed: await rollup.refreshRecent() }),
    });
  }
}
