import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { BatchedConsumer, ConsumerDeps } from './batched-consumer';
import { ConsumerRegistry, DurableConsumerDefinition } from './durable-consumer';
import { ParkedEvents } from './parked-events';
import { SubscriptionCheckpoints } from './subscription-checkpoints';

/**
 * The one way modules register a BatchedConsumer: `create(holder)` builds it for this process's
 * SubscriptionRunner (lease holder `holder`); one more, built here once, replays parked events for
 * the admin. `deps` are what every consumer reads and writes through.
 */
@Injectable()
export class BatchedConsumers {
  readonly deps: ConsumerDeps;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    store: PostgresEventStore,
    checkpoints: SubscriptionCheckpoints,
    parked: ParkedEvents,
    private readonly registry: ConsumerRegistry,
  ) {
    this.deps = { pool, store, checkpoints, parked };
  }

  /** `afterReplay` sees what a replay applied (the admin's transaction is still open then). */
  register<Prepared, Applied>(
    kind: DurableConsumerDefinition['kind'],
    create: (holder: string) => BatchedConsumer<Prepared, Applied>,
    afterReplay?: (applied: Applied) => void,
  ): void {
    const replayer = create('replay');
    this.registry.register({
      name: replayer.name,
      kind,
      create,
      replay: async (events, tx) => {
        const applied = await replayer.replay(events, tx);
        afterReplay?.(applied);
      },
    });
  }
}
