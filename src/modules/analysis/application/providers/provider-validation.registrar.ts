import { Injectable, OnModuleInit } from '@nestjs/common';
import { BatchedConsumers } from '@libs/eventsourcing/subscriptions/batched-consumers';
import { ConfigurationAggregates } from '@modules/analysis/infrastructure/configuration-aggregates';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { ProviderApiKeys } from '@modules/analysis/infrastructure/provider-api-keys';
import { ProviderConnections } from '@modules/analysis/infrastructure/provider-connections';
import { ProviderValidationConsumer } from './provider-validation.consumer';

/**
 * Registers provider validation as a durable consumer (`analysis.provider-validation`, kind
 * integration): run by the SubscriptionRunner in processes with RUN_SUBSCRIPTIONS, one at a time.
 * Small batches: each request is a network call.
 */
@Injectable()
export class ProviderValidationRegistrar implements OnModuleInit {
  constructor(
    private readonly consumers: BatchedConsumers,
    private readonly aggregates: ConfigurationAggregates,
    private readonly queries: ConfigurationQueries,
    private readonly keys: ProviderApiKeys,
    private readonly connections: ProviderConnections,
  ) {}

  onModuleInit(): void {
    this.consumers.register(
      'integration',
      (holder) => new ProviderValidationConsumer(this.consumers.deps, { batchSize: 20, maxAttempts: 3, backoffMs: 500, holder }, this.aggregates, this.queries, this.keys, this.connections),
    );
  }
}
