import { Injectable } from '@nestjs/common';
import { EmbeddingCounts, EmbeddingRunSummary, EmbeddingSpaceState, KnowledgeEmbeddings } from '@modules/knowledge/contracts/knowledge-embeddings';
import { ChunkEmbeddingWorker } from './chunk-embedding.worker';
import { KnowledgeEmbeddingSpace } from './knowledge-embedding-space';

/** KnowledgeEmbeddings (the CLI's view) over the embedding space and the embedding worker. */
@Injectable()
export class KnowledgeEmbeddingsFacade extends KnowledgeEmbeddings {
  constructor(
    private readonly space: KnowledgeEmbeddingSpace,
    private readonly worker: ChunkEmbeddingWorker,
  ) {
    super();
  }

  state(): Promise<EmbeddingSpaceState> {
    return this.space.state();
  }

  switchToConfigured(): Promise<number> {
    return this.space.switchToConfigured();
  }

  embedPending(options?: { batchSize?: number; onProgress?: (summary: EmbeddingRunSummary) => void }): Promise<EmbeddingRunSummary> {
    return this.worker.embedPending(options);
  }

  counts(): Promise<EmbeddingCounts> {
    return this.worker.counts();
  }
}
