/**
 * The embeddings of message chunks, for the admin CLI (`knowledge status | reembed | rechunk`):
 * the embedding space and the embedding runs. `KnowledgeEmbeddings` is also the DI token.
 */

/** The durable consumer that chunks every message along the log (its checkpoint is reset to chunk everything again). */
export const CHUNKING_CONSUMER = 'knowledge.chunking';

export interface EmbeddingSpaceIdentity {
  provider: string;
  model: string;
  dimension: number;
}

export interface EmbeddingSpaceState {
  /** What the stored vectors belong to (null before the first start-up set it). */
  stored: EmbeddingSpaceIdentity | null;
  /** What the configured embedder produces. */
  configured: EmbeddingSpaceIdentity;
  /** Semantic search and the embedding worker run only when true. */
  matches: boolean;
}

export interface EmbeddingRunSummary {
  claimed: number;
  ready: number;
  failed: number;
  /** Chunks whose vector came from the cache (no provider call). */
  cached: number;
  /** Texts sent to the embedder. */
  embedded: number;
  released: number;
  /** True when the run did nothing because the stored space is not the configured one. */
  mismatched: boolean;
}

/** Chunks by embedding status. */
export type EmbeddingCounts = Record<'pending' | 'processing' | 'ready' | 'failed', number> & { total: number };

export abstract class KnowledgeEmbeddings {
  /** The stored and the configured embedding space. */
  abstract state(): Promise<EmbeddingSpaceState>;
  /** Switches the space to the configured embedder (old vectors dropped, every chunk pending); answers how many chunks wait. */
  abstract switchToConfigured(): Promise<number>;
  /** Embeds every pending chunk, in rounds of `batchSize` claimed chunks. */
  abstract embedPending(options?: { batchSize?: number; onProgress?: (summary: EmbeddingRunSummary) => void }): Promise<EmbeddingRunSummary>;
  abstract counts(): Promise<EmbeddingCounts>;
}
