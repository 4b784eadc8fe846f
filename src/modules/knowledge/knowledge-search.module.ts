import { Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { DataSubjects } from '@libs/event-store/data-subjects';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { ChunkingRegistrar } from './application/chunking/chunking.registrar';
import { ChunkEmbeddingWorker } from './application/embeddings/chunk-embedding.worker';
import { EmbeddingRetrySchedule } from './application/embeddings/embedding-retry.schedule';
import { KnowledgeEmbeddingSpace } from './application/embeddings/knowledge-embedding-space';
import { KnowledgeEmbeddingsFacade } from './application/embeddings/knowledge-embeddings.facade';
import { ListEvidenceHttpController } from './application/evidence/list-evidence.http.controller';
import { HybridKnowledgeSearch } from './application/search/hybrid-knowledge-search';
import { SearchHttpController } from './application/search/search.http.controller';
import { KnowledgeEmbeddings } from './contracts/knowledge-embeddings';
import { KnowledgeSearch } from './contracts/knowledge-search';
import { eraseChunkAuthors } from './infrastructure/knowledge-chunks-erasure';
import { knowledgeSearchErrorStatuses } from './infrastructure/knowledge-search.errors.http';

registerErrorStatuses(knowledgeSearchErrorStatuses);

/** The erasure hook of chunks and evidence: wherever subjects can be erased (the app and the CLI). */
@Injectable()
class ChunkErasureRegistrar implements OnModuleInit {
  constructor(
    private readonly subjects: DataSubjects,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.subjects.onErasure(eraseChunkAuthors(this.config.SEARCH_TEXT_CONFIG));
  }
}

/** The app's start-up: the embedding space is set, or its mismatch reported, before consumers and requests run. */
@Injectable()
class EmbeddingSpaceStartup implements OnModuleInit {
  constructor(private readonly space: KnowledgeEmbeddingSpace) {}

  async onModuleInit(): Promise<void> {
    await this.space.ensure();
  }
}

/**
 * What the CLI needs too (`knowledge reembed | status`, erasures): the space, the worker, search.
 * Other modules and the CLI inject the facades of contracts/ (KnowledgeSearch, KnowledgeEmbeddings),
 * bound here to their implementations.
 */
@Module({
  providers: [
    KnowledgeEmbeddingSpace,
    ChunkEmbeddingWorker,
    HybridKnowledgeSearch,
    { provide: KnowledgeSearch, useExisting: HybridKnowledgeSearch },
    KnowledgeEmbeddingsFacade,
    { provide: KnowledgeEmbeddings, useExisting: KnowledgeEmbeddingsFacade },
    ChunkErasureRegistrar,
  ],
  exports: [KnowledgeEmbeddingSpace, ChunkEmbeddingWorker, KnowledgeSearch, KnowledgeEmbeddings],
})
export class KnowledgeSearchCoreModule {}

/**
 * Chunks of messages, their embeddings (lifecycle, retries, re-embedding) and search (full-text,
 * semantic, hybrid), evidence items. Exports KnowledgeSearch (Ask retrieves through it).
 */
@Module({
  imports: [KnowledgeSearchCoreModule],
  controllers: [SearchHttpController, ListEvidenceHttpController],
  providers: [EmbeddingSpaceStartup, ChunkingRegistrar, EmbeddingRetrySchedule],
  exports: [KnowledgeSearchCoreModule],
})
export class KnowledgeSearchModule {}
