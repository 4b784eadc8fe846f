import { KnowledgeSearchErrorCode as Code } from '@modules/knowledge/domain/search/knowledge-search.errors';

/** Every search refusal's HTTP status (exhaustive). */
export const knowledgeSearchErrorStatuses: Record<Code, number> = {
  [Code.EmbeddingModelChanged]: 409,
  [Code.EmbedderUnavailable]: 503,
};
