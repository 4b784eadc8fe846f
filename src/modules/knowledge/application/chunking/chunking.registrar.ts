import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { BatchedConsumers } from '@libs/eventsourcing/subscriptions/batched-consumers';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { KnowledgeChunksWriter } from '@modules/knowledge/infrastructure/knowledge-chunks.writer';
import { ChunkEmbeddingWorker } from '@modules/knowledge/application/embeddings/chunk-embedding.worker';
import { ChunkingConsumer } from './chunking.consumer';

/** Messages per batch: chunking 500 messages is a few milliseconds; their rows one transaction. */
const BATCH_SIZE = 500;

/**
 * Registers chunking as a durable consumer (`knowledge.chunking`, kind integration): the
 * SubscriptionRunner runs it in processes with RUN_SUBSCRIPTIONS, one at a time (lease); the
 * parked-events admin replays it. A commit that left chunks to embed wakes this process's
 * embedding worker.
 */
@Injectable()
export class ChunkingRegistrar implements OnModuleInit {
  constructor(
    private readonly consumers: BatchedConsumers,
    private readonly worker: ChunkEmbeddingWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.register(
      'integration',
      (holder) =>
        new ChunkingConsumer(
          this.consumers.deps,
          { batchSize: BATCH_SIZE, maxAttempts: 3, backoffMs: 100, holder },
          new KnowledgeChunksWriter(this.config.SEARCH_TEXT_CONFIG),
          { maxTokens: this.config.KNOWLEDGE_CHUNK_TOKENS, overlap: this.config.KNOWLEDGE_CHUNK_OVERLAP },
          () => this.worker.wake(),
        ),
      (pending) => {
        // An HTTP-only process (the admin's retry of a parked event) never embeds: the workers' retry job picks these up.
        if (pending && this.config.RUN_SUBSCRIPTIONS) setImmediate(() => this.worker.wake());
      },
    );
  }
}
