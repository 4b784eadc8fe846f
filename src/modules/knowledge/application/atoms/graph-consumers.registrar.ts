import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { Embedder } from '@libs/ai/embedder';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ConsumerRegistry } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { MESSAGE_TOPICS_CLEANUP_CONSUMER, MessageTopicsCleanupConsumer } from '@modules/knowledge/application/topic-classification/message-topics-cleanup.consumer';
import { TopicClassifier } from '@modules/knowledge/application/topic-classification/topic-classifier';
import { KnowledgeGraphAggregates } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';
import { GRAPH_EMBEDDINGS_CONSUMER, GraphEmbeddingsConsumer } from './graph-embeddings.consumer';

/**
 * Registers the graph's durable consumers (kind integration): `knowledge.graph-embeddings` and
 * `knowledge.message-topics-cleanup`. The SubscriptionRunner runs them in processes with
 * RUN_SUBSCRIPTIONS, one at a time (lease); the parked-events admin replays them. A topic
 * embedded anew starts a classification pass of its messages.
 */
@Injectable()
export class GraphConsumersRegistrar implements OnModuleInit {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly consumers: ConsumerRegistry,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly embedder: Embedder,
    private readonly classifier: TopicClassifier,
    private readonly aggregates: KnowledgeGraphAggregates,
  ) {}

  onModuleInit(): void {
    const replayer = this.consumer('replay');
    this.consumers.register({
      name: GRAPH_EMBEDDINGS_CONSUMER,
      kind: 'integration',
      create: (holderId) => this.consumer(holderId),
      replay: (events, tx) => replayer.apply(tx, events),
    });
    const cleanup = (holder: string) => new MessageTopicsCleanupConsumer(this.store, this.pool, this.checkpoints, this.parked, this.aggregates, { batchSize: 500, maxAttempts: 3, backoffMs: 200, holder });
    const cleanupReplayer = cleanup('replay');
    this.consumers.register({
      name: MESSAGE_TOPICS_CLEANUP_CONSUMER,
      kind: 'integration',
      create: (holderId) => cleanup(holderId),
      replay: (events) => cleanupReplayer.apply(events),
    });
  }

  consumer(holder: string): GraphEmbeddingsConsumer {
    return new GraphEmbeddingsConsumer(
      this.store,
      this.pool,
      this.checkpoints,
      this.parked,
      this.embedder,
      { batchSize: 200, maxAttempts: 3, backoffMs: 200, holder },
      () => this.classifier.nudge(),
    );
  }
}
