import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ConsumerRegistry } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { KnowledgeChunksWriter } from '@modules/knowledge/infrastructure/knowledge-chunks.writer';
import { ChunkEmbeddingWorker } from '@modules/knowledge/application/embeddings/chunk-embedding.worker';
import { CHUNKING_CONSUMER, ChunkingConsumer } from './chunking.consumer';

/** Messages per batch: chunking 500 messages is a few milliseconds; their rows one transaction. */
const BATCH_SIZE = 500;

/**
 * Registers chunking as a durable consumer (`knowledge.chunking`, kind integration): the
 * SubscriptionRunner runs it in processes with RUN_SUBSCRIPTIONS, one at a time (lease); the
 * parked-events admin replays it through `replay`. A commit that left chunks to embed wakes this
 * process's embedding worker.
 */
@Injectable()
export class ChunkingRegistrar implements OnModuleInit {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly consumers: ConsumerRegistry,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly worker: ChunkEmbeddingWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const replayer = this.consumer('replay');
    this.consumers.register({
      name: CHUNKING_CONSUMER,
      kind: 'integration',
      create: (holderId) => this.consumer(holderId),
      replay: async (events, tx) => {
        // An HTTP-only process (the admin's retry of a parked event) never embeds: the workers' retry job picks these up.
        if ((await replayer.apply(tx, events)) && this.config.RUN_SUBSCRIPTIONS) setImmediate(() => this.worker.wake());
      },
    });
  }

  private consumer(holder: string): ChunkingConsumer {
    return new ChunkingConsumer(
      this.store,
      this.pool,
      this.checkpoints,
      this.parked,
      new KnowledgeChunksWriter(this.config.SEARCH_TEXT_CONFIG),
      { maxTokens: this.config.KNOWLEDGE_CHUNK_TOKENS, overlap: this.config.KNOWLEDGE_CHUNK_OVERLAP },
      { batchSize: BATCH_SIZE, maxAttempts: 3, backoffMs: 100, holder },
      () => this.worker.wake(),
    );
  }
}
