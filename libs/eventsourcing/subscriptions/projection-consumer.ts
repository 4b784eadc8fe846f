import { Pool, PoolClient } from 'pg';
import { RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { applyRowProjection, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { BatchedConsumer, ConsumerOptions } from './batched-consumer';
import { ParkedEvents } from './parked-events';
import { SubscriptionCheckpoints } from './subscription-checkpoints';

/**
 * Moves one projection along the log (a BatchedConsumer): a batch is applied set-based AND the
 * checkpoint moved in one transaction. For per-stream projections the later events of a parked
 * stream are parked behind it, other streams go on.
 */
export class ProjectionConsumer extends BatchedConsumer<undefined, number> {
  readonly name: string;
  readonly eventTypes: string[] | undefined;
  readonly ordering: 'per-stream' | 'none';

  constructor(
    readonly projection: RowProjection<any>,
    store: PostgresEventStore,
    pool: Pool,
    checkpoints: SubscriptionCheckpoints,
    parked: ParkedEvents,
    options: ConsumerOptions,
  ) {
    super({ store, pool, checkpoints, parked }, options);
    this.name = projection.name;
    this.eventTypes = projection.eventTypes;
    this.ordering = projection.ordering;
  }

  apply(tx: PoolClient, events: RecordedEvent[]): Promise<number> {
    return applyRowProjection(this.projection, events, tx);
  }
}
