import { Injectable, OnModuleInit } from '@nestjs/common';
import { Embedder } from '@libs/ai/embedder';
import { BatchedConsumers } from '@libs/eventsourcing/subscriptions/batched-consumers';
import { MessageTopicsCleanupConsumer } from '@modules/knowledge/application/topic-classification/message-topics-cleanup.consumer';
import { TopicClassifier } from '@modules/knowledge/application/topic-classification/topic-classifier';
import { KnowledgeGraphAggregates } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';
import { graphEmbeddingsConsumer } from './graph-embeddings.consumer';

/**
 * Registers the graph's durable consumers (kind integration): `knowledge.graph-embeddings` and
 * `knowledge.message-topics-cleanup`. The SubscriptionRunner runs them in processes with
 * RUN_SUBSCRIPTIONS, one at a time (lease); the parked-events admin replays them. A topic
 * embedded anew starts a classification pass of its messages.
 */
@Injectable()
export class GraphConsumersRegistrar implements OnModuleInit {
  constructor(
    private readonly consumers: BatchedConsumers,
    private readonly embedder: Embedder,
    private readonly classifier: TopicClassifier,
    private readonly aggregates: KnowledgeGraphAggregates,
  ) {}

  onModuleInit(): void {
    const { deps } = this.consumers;
    this.consumers.register('integration', (holder) =>
      graphEmbeddingsConsumer(deps, { batchSize: 200, maxAttempts: 3, backoffMs: 200, holder }, this.embedder, () => this.classifier.nudge()),
    );
    this.consumers.register(
      'integration',
      (holder) => new MessageTopicsCleanupConsumer(deps, { batchSize: 500, maxAttempts: 3, backoffMs: 200, holder }, this.aggregates),
    );
  }
}
