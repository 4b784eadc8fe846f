import { Inject, Injectable } from '@nestjs/common';
import { BatchedConsumers } from '@libs/eventsourcing/subscriptions/batched-consumers';
import { SUBSCRIPTION_OPTIONS, SubscriptionOptions } from '@libs/eventsourcing/subscriptions/subscription-runner';
import { SagaDefinition } from './saga';
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
    private readonly consumers: BatchedConsumers,
    private readonly routes: SagaCommandRoutes,
    @Inject(SUBSCRIPTION_OPTIONS) private readonly options: SubscriptionOptions,
  ) {}

  register(saga: SagaDefinition<any>): void {
    if (this.sagas.has(saga.name)) throw new Error(`Saga ${saga.name} registered twice`);
    this.sagas.set(saga.name, saga);
    this.consumers.register('saga', (holder) => this.consumerFor(saga, holder));
  }

  all(): SagaDefinition<any>[] {
    return [...this.sagas.values()];
  }

  private consumerFor(saga: SagaDefinition<any>, holder: string): SagaConsumer {
    const { store, pool, checkpoints, parked } = this.consumers.deps;
    return new SagaConsumer(saga, store, pool, checkpoints, parked, this.routes, {
      batchSize: this.options.batchSize,
      maxAttempts: this.options.maxAttempts,
      backoffMs: this.options.backoffMs,
      commandAttempts: this.options.sagaCommandAttempts,
      holder,
    });
  }
}
