import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ConsumerRegistry } from '../subscriptions/durable-consumer';
import { ParkedEvents } from '../subscriptions/parked-events';
import { SubscriptionCheckpoints } from '../subscriptions/subscription-checkpoints';
import { SUBSCRIPTION_OPTIONS, SubscriptionOptions } from '../subscriptions/subscription-runner';
import { SagaDefinition, sagaSubscriptionName } from './saga';
import { SagaCommandRoutes } from './saga-command-routes';
import { SagaConsumer } from './saga-consumer';

/**
 * Modules register their sagas here in onModuleInit; each becomes a durable consumer named
 * `saga:<name>` run by the SubscriptionRunner (lease, wake-ups, errors never fatal). Sagas are
 * never part of a projection rebuild, so their commands never fire again because of one.
 */
@Injectable()
export class SagaRegistry {
  private readonly sagas = new Map<string, SagaDefinition<any>>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly consumers: ConsumerRegistry,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly routes: SagaCommandRoutes,
    @Inject(SUBSCRIPTION_OPTIONS) private readonly options: SubscriptionOptions,
  ) {}

  register(saga: SagaDefinition<any>): void {
    if (this.sagas.has(saga.name)) throw new Error(`Saga ${saga.name} registered twice`);
    this.sagas.set(saga.name, saga);
    const replayer = this.consumerFor(saga, 'replay');
    this.consumers.register({
      name: sagaSubscriptionName(saga.name),
      kind: 'saga',
      create: (holderId) => this.consumerFor(saga, holderId),
      replay: async (events, tx) => {
        for (const e of events) await replayer.applyEvent(tx, e, true);
      },
    });
  }

  all(): SagaDefinition<any>[] {
    return [...this.sagas.values()];
  }

  private consumerFor(saga: SagaDefinition<any>, holder: string): SagaConsumer {
    return new SagaConsumer(saga, this.store, this.pool, this.checkpoints, this.parked, this.routes, {
      batchSize: this.options.batchSize,
      maxAttempts: this.options.maxAttempts,
      backoffMs: this.options.backoffMs,
      commandAttempts: this.options.sagaCommandAttempts,
      holder,
    });
  }
}
