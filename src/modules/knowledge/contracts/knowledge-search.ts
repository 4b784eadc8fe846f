/**
 * Search over a workspace's messages: what other modules (analysis, crm), the search endpoint
 * and Ask use. `KnowledgeSearch` is also the DI token: inject it, never knowledge's own classes
 * (the implementation, on PostgreSQL full-text + pgvector HNSW, is application/search).
 */
export type SearchMode = 'hybrid' | 'semantic' | 'fulltext';
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'semantic', 'fulltext'];

export interface SearchFilters {
  sourceId?: string;
  /** Channel id or name. */
  channel?: string;
  /** Author subject id, external id or name (the name case-insensitive). */
  author?: string;
  /** sent_at >= from (ISO 8601). */
  from?: string;
  /** sent_at < to (ISO 8601). */
  to?: string;
}

export interface SearchRequest {
  workspaceId: string;
  q: string;
  mode: SearchMode;
  limit: number;
  filters?: SearchFilters;
  /** The person searching, when known (Ask's asker): the query's embedding is metered as theirs. */
  userId?: string;
}

/** The message a hit cites, with a link back to it. */
export interface MessageCitation {
  id: string;
  externalId: string;
  sourceId: string;
  sourceKind: string;
  channelId: string | null;
  channelName: string | null;
  conversationId: string | null;
  author: { name: string | null; subjectId: string | null };
  sentAt: string;
  /** API path of the message; `external` is the provider's permalink when the message carries one. */
  link: { api: string; external: string | null };
}

export interface SearchHit {
  messageId: string;
  chunkId: string;
  chunkIndex: number;
  text: string;
  /** HTML (the text escaped): full-text matches marked with <mark>…</mark>; otherwise the start of the chunk. */
  snippet: string;
  /** Higher is better; its scale depends on the mode (RRF for hybrid, cosine similarity for semantic, ts_rank_cd for full-text). */
  score: number;
  /** Rank (1-based) of the hit in each retriever, null when that retriever did not return it. */
  ranks: { fulltext: number | null; semantic: number | null };
  /** Cosine similarity to the query when the semantic retriever saw the hit. */
  similarity: number | null;
  message: MessageCitation;
}

/** What to find neighbours of: a text (embedded as a search query is) or a message of the workspace. */
export type SimilarTo = { text: string } | { messageId: string };

export interface SimilarRequest {
  workspaceId: string;
  of: SimilarTo;
  /** At most this many messages. */
  limit: number;
  filters?: SearchFilters;
}

/** A neighbouring message: its chunk nearest to the text or message, and how near. */
export interface SimilarHit {
  messageId: string;
  chunkId: string;
  chunkIndex: number;
  text: string;
  /** Cosine similarity of the embeddings (1 = same direction); hits are ordered by it, best first. */
  score: number;
  message: MessageCitation;
}

export abstract class KnowledgeSearch {
  /** Full-text, semantic or hybrid search over the workspace's message chunks, each hit citing its message. */
  abstract search(request: SearchRequest): Promise<SearchHit[]>;

  /**
   * Nearest messages by embedding (one hit per message, at its nearest chunk). A message's
   * neighbours leave the message itself out; a message with no embedded chunk has none.
   */
  abstract similar(request: SimilarRequest): Promise<SimilarHit[]>;
}
