import { Injectable } from '@nestjs/common';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ScheduledJobs } from './scheduled-jobs';

export const IDEMPOTENCY_KEYS_PURGE_JOB = 'idempotency-keys.purge-expired';

/**
 * Deletes expired idempotency keys hourly (processed = keys deleted). An expired key already
 * counts as new when it is used again (es_append replaces it); this keeps the table, and the
 * answers stored in clear in it, from outliving IDEMPOTENCY_KEY_TTL_HOURS by more than an hour.
 */
@Injectable()
export class IdempotencyKeysPurgeJob {
  constructor(scheduled: ScheduledJobs, store: PostgresEventStore) {
    scheduled.register({
      name: IDEMPOTENCY_KEYS_PURGE_JOB,
      cron: '17 * * * *',
      description: 'Deletes the idempotency keys (and their stored answers) past IDEMPOTENCY_KEY_TTL_HOURS',
      run: async () => ({ processed: await store.purgeExpiredIdempotencyKeys() }),
    });
  }
}
