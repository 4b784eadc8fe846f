import { Inject, Injectable } from '@nestjs/common';
import { EventPartitions } from '@libs/event-store/event-partitions';
import { EVENT_STORE_OPTIONS, EventStoreModuleOptions } from '@libs/event-store/event-store.module';
import { ScheduledJobs } from './scheduled-jobs';

export const EVENT_PARTITIONS_JOB = 'event-partitions.ensure-ahead';

/**
 * Keeps monthly partitions of `events` ahead, daily at 03:00 UTC, as a recorded scheduled job
 * (processed = partitions created). Registered here rather than in libs/event-store so the event
 * store does not depend on the job queue; PartitionMaintenance still ensures them at start-up.
 */
@Injectable()
export class EventPartitionsJob {
  constructor(scheduled: ScheduledJobs, partitions: EventPartitions, @Inject(EVENT_STORE_OPTIONS) options: EventStoreModuleOptions) {
    scheduled.register({
      name: EVENT_PARTITIONS_JOB,
      cron: '0 3 * * *',
      description: `Creates the monthly partitions of the event log for this month and ${options.partitionMonthsAhead} ahead`,
      retryLimit: 2,
      retryDelay: 60,
      run: async () => {
        const created = await partitions.ensureAhead(options.partitionMonthsAhead);
        return { processed: created.length, meta: { created, monthsAhead: options.partitionMonthsAhead } };
      },
    });
  }
}
