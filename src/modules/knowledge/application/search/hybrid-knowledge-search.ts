import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { AiProviderError } from '@libs/ai/ai-call';
import { Embedder } from '@libs/ai/embedder';
import { PG_POOL } from '@libs/database/database-backend';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { normaliseChunkText } from '@modules/knowledge/domain/chunking/message-chunker';
import { leadSnippet, markHeadline } from '@modules/knowledge/domain/search/highlight';
import { KnowledgeSearch, MessageCitation, SearchHit, SearchRequest, SimilarHit, SimilarRequest } from '@modules/knowledge/contracts/knowledge-search';
import { KnowledgeSearchError, KnowledgeSearchErrorCode } from '@modules/knowledge/domain/search/knowledge-search.errors';
import { reciprocalRankFusion } from '@modules/knowledge/domain/search/reciprocal-rank-fusion';
import { ChunkHitRow, KnowledgeSearchQueries } from '@modules/knowledge/infrastructure/knowledge-search.queries';
import { KnowledgeEmbeddingSpace } from '@modules/knowledge/application/embeddings/knowledge-embedding-space';

export const SEARCH_WORKFLOW = 'knowledge.search';

/**
 * The full-text leg of hybrid search: the chunks with ALL the query's words first (websearch, as
 * full-text mode), then, when they are fewer than the leg's candidates, chunks with ANY of them
 * (ranked among a capped set, see ANY_WORD_CANDIDATES). Measured on the labelled set of
 * test/e2e/knowledge-search.e2e.spec.ts (offline embedder, recall@10 over 19 queries): an
 * all-words leg alone 0.86, no better than semantic alone, since a question in the asker's own
 * words ("why does the phone app crash when agents upload pictures") seldom has every word in
 * one message; any-word alone 0.96 but it ranks every chunk sharing one common word (p95 over
 * 600 ms at 200k chunks); all-words then any-word keeps the recall at a bounded cost.
 */
/** How many candidates each leg of hybrid search gives to the fusion. */
export const hybridCandidates = (limit: number) => Math.max(50, 4 * limit);

/**
 * KnowledgeSearch on PostgreSQL: full-text (tsvector, websearch syntax, ts_rank_cd, highlighted
 * headlines), semantic (the query embedded, HNSW cosine) and hybrid (reciprocal rank fusion of
 * both legs' top candidates). Only chunks of the request's workspace; semantic only over chunks
 * whose embedding is ready. Deleted messages have no chunks left. Also `similar`: the nearest
 * messages to a text or a message by the same HNSW index.
 */
@Injectable()
export class HybridKnowledgeSearch extends KnowledgeSearch {
  private readonly queries: KnowledgeSearchQueries;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    private readonly embedder: Embedder,
    private readonly space: KnowledgeEmbeddingSpace,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.queries = new KnowledgeSearchQueries(pool, config.SEARCH_TEXT_CONFIG);
  }

  async search(request: SearchRequest): Promise<SearchHit[]> {
    const { workspaceId, q, limit, filters } = request;
    if (request.mode === 'fulltext') {
      const rows = await this.queries.fullText(workspaceId, q, 'websearch', limit, filters);
      return rows.map((r, i) => this.hit(r, request, r.score, { fulltext: i + 1, semantic: null }, null));
    }
    await this.space.assertUsable();
    const vector = await this.embedQuery(workspaceId, q, request.userId);
    if (request.mode === 'semantic') {
      const rows = await this.queries.semantic(workspaceId, vector, limit, filters);
      return rows.map((r, i) => this.hit(r, request, r.score, { fulltext: null, semantic: i + 1 }, r.score));
    }
    const k = hybridCandidates(limit);
    // The two legs side by side on PostgreSQL (each is one backend's work; the embedded backend
    // queues them). The any-word query runs only when all-words found fewer than k.
    const [text, near] = await Promise.all([this.fullTextLeg(workspaceId, q, k, filters), this.queries.semantic(workspaceId, vector, k, filters)]);
    const rows = new Map<string, ChunkHitRow>();
    for (const r of [...near, ...text]) rows.set(r.id, r);
    const similarity = new Map(near.map((r) => [r.id, r.score]));
    const fused = reciprocalRankFusion([text.map((r) => r.id), near.map((r) => r.id)]).slice(0, limit);
    // Headlines only for the hits kept (ts_headline over every candidate cost more than the rest).
    const headlines = await this.queries.headlines(workspaceId, q, fused.filter((f) => f.ranks[0] !== null).map((f) => f.id));
    return fused.map((f) => this.hit({ ...rows.get(f.id)!, headline: headlines.get(f.id) }, request, f.score, { fulltext: f.ranks[0], semantic: f.ranks[1] }, similarity.get(f.id) ?? null));
  }

  async similar(request: SimilarRequest): Promise<SimilarHit[]> {
    const { workspaceId, of, limit, filters } = request;
    await this.space.assertUsable();
    const ofMessage = 'messageId' in of ? of.messageId : null;
    const vector = 'messageId' in of ? await this.queries.messageVector(workspaceId, of.messageId) : await this.embedQuery(workspaceId, of.text);
    if (!vector) return [];
    // Chunks first, then one hit per message at its nearest chunk (rows come nearest first), so
    // that a long message's chunks do not crowd the other messages out.
    const rows = await this.queries.semantic(workspaceId, vector, hybridCandidates(limit), filters);
    const nearest = new Map<string, ChunkHitRow>();
    for (const r of rows) if (r.message_id !== ofMessage && !nearest.has(r.message_id)) nearest.set(r.message_id, r);
    return [...nearest.values()].slice(0, limit).map((r) => ({
      messageId: r.message_id,
      chunkId: r.id,
      chunkIndex: r.chunk_index,
      text: r.text,
      score: r.score,
      message: this.citation(r, workspaceId),
    }));
  }

  private async fullTextLeg(workspaceId: string, q: string, k: number, filters: SearchRequest['filters']): Promise<ChunkHitRow[]> {
    const allWords = await this.queries.fullText(workspaceId, q, 'websearch', k, filters, false);
    if (allWords.length >= k) return allWords;
    const seen = new Set(allWords.map((r) => r.id));
    const anyWord = await this.queries.fullText(workspaceId, q, 'any-word-capped', k, filters, false);
    return [...allWords, ...anyWord.filter((r) => !seen.has(r.id))].slice(0, k);
  }

  private async embedQuery(workspaceId: string, q: string, userId?: string): Promise<number[]> {
    try {
      const [vector] = await this.embedder.embed([normaliseChunkText(q)], { workspaceId, workflow: SEARCH_WORKFLOW, node: 'embed-query', userId });
      return vector;
    } catch (err) {
      if (err instanceof AiProviderError) {
        throw new KnowledgeSearchError(KnowledgeSearchErrorCode.EmbedderUnavailable, `The embedding provider could not embed the query (${err.kind}); full-text search still works`, { kind: err.kind });
      }
      throw err;
    }
  }

  private hit(r: ChunkHitRow, request: SearchRequest, score: number, ranks: SearchHit['ranks'], similarity: number | null): SearchHit {
    return {
      messageId: r.message_id,
      chunkId: r.id,
      chunkIndex: r.chunk_index,
      text: r.text,
      snippet: r.headline !== undefined ? markHeadline(r.headline) : leadSnippet(r.text),
      score,
      ranks,
      similarity,
      message: this.citation(r, request.workspaceId),
    };
  }

  private citation(r: ChunkHitRow, workspaceId: string): MessageCitation {
    return {
      id: r.message_id,
      externalId: r.external_id,
      sourceId: r.source_id,
      sourceKind: r.source_kind,
      channelId: r.channel_id,
      channelName: r.channel_name,
      conversationId: r.conversation_id,
      author: { name: r.author_name, subjectId: r.author_subject_id },
      sentAt: r.sent_at.toISOString(),
      link: { api: `/api/v1/workspaces/${workspaceId}/messages/${r.message_id}`, external: r.external_url },
    };
  }
}
