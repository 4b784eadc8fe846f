import { ApplicationError } from '@libs/common/errors/application-error';

export enum KnowledgeSearchErrorCode {
  /** The stored vectors belong to another model or dimension than the configured embedder's. */
  EmbeddingModelChanged = 'KNOWLEDGE.EMBEDDING_MODEL_CHANGED',
  /** The embedder could not embed the query (provider down, rate limited, timed out). */
  EmbedderUnavailable = 'KNOWLEDGE.EMBEDDER_UNAVAILABLE',
}

export class KnowledgeSearchError extends ApplicationError {
  constructor(
    readonly code: KnowledgeSearchErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export const REEMBED_COMMAND = 'npm run cli -- knowledge reembed';

export const embeddingModelChanged = (stored: { model: string; dimension: number }, configured: { model: string; dimension: number }) =>
  new KnowledgeSearchError(
    KnowledgeSearchErrorCode.EmbeddingModelChanged,
    `The embedding model changed (stored vectors: ${stored.model}/${stored.dimension}, configured: ${configured.model}/${configured.dimension}); run \`${REEMBED_COMMAND}\`. Full-text search keeps working.`,
    { storedModel: stored.model, storedDimension: stored.dimension, configuredModel: configured.model, configuredDimension: configured.dimension },
  );
