import { Pool } from 'pg';
import { fromVectorLiteral, toVectorLiteral } from '@libs/database/vector-literal';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { HEADLINE_START, HEADLINE_STOP } from '@modules/knowledge/domain/search/highlight';
import type { SearchFilters } from '@modules/knowledge/contracts/knowledge-search';

export interface ChunkHitRow {
  id: string;
  workspace_id: string;
  message_id: string;
  chunk_index: number;
  text: string;
  source_id: string;
  source_kind: string;
  channel_id: string | null;
  channel_name: string | null;
  conversation_id: string | null;
  author_subject_id: string | null;
  author_name: string | null;
  external_id: string;
  external_url: string | null;
  sent_at: Date;
  /** ts_rank_cd (full-text) or cosine similarity (semantic). */
  score: number;
  /** Full-text only: ts_headline with the sentinels of HEADLINE_START / HEADLINE_STOP. */
  headline?: string;
}

/** How the full-text query is built from the user's text. */
export type FullTextQueryKind =
  /** websearch_to_tsquery: every word must match ("quoted phrases", -not, or). */
  | 'websearch'
  /** Any of the query's words (stemmed, stop words dropped): for recall, e.g. natural-language questions. */
  | 'any-word'
  /**
   * Any of the query's words, ranked among at most ANY_WORD_CANDIDATES matching chunks: every
   * chunk sharing one common word would otherwise be ranked (hundreds of ms at 200k chunks).
   */
  | 'any-word-capped';

/** Every word of the query ($2 the text search configuration, $3 the query). */
const ALL_WORDS = `websearch_to_tsquery($2::regconfig, $3)`;
/** The query's lexemes OR-ed; a lexeme with a backslash could not be quoted safely and is left out. */
const ANY_WORD = `coalesce((SELECT string_agg(quote_literal(l), ' | ')::tsquery FROM unnest(tsvector_to_array(to_tsvector($2::regconfig, $3))) AS l WHERE strpos(l, E'\\\\') = 0), ''::tsquery)`;
/** The highlighted excerpt of row `top` for query `q` (private-use characters of the text removed: they delimit the marks). */
const HEADLINE = `ts_headline($2::regconfig, replace(replace(top."text", E'\\uE000', ''), E'\\uE001', ''), q.query,
  'StartSel=${HEADLINE_START}, StopSel=${HEADLINE_STOP}, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') AS headline`;

/**
 * The least hnsw.ef_search: recall@10 against exact search was 0.94-0.96 at 100 on the
 * benchmark's 200k chunks, 0.98 at 200 (a few ms more per query).
 */
export const EF_SEARCH_MIN = 200;

/**
 * The least number of matching chunks (by ts_rank) whose ts_rank_cd is computed; 4 x limit when
 * more. A query matching fewer chunks than this is ranked exactly as by ts_rank_cd alone.
 */
export const RERANK_MIN = 200;

/** How many matching chunks the capped any-word query ranks (the first the GIN index yields). */
export const ANY_WORD_CANDIDATES = 2_000;

/** The HNSW index's build options (migration and re-embedding); see the chunks migration for why. */
export const HNSW_INDEX_OPTIONS = 'm = 24, ef_construction = 128';

/** The chunks' HNSW index (created by the chunks migration, rebuilt by the embedding space and the worker's bulk path). */
export const VECTOR_INDEX = 'knowledge_rag_chunks_embedding_idx';

/** The statement that creates the HNSW index when it is missing. */
export const CREATE_VECTOR_INDEX = `CREATE INDEX IF NOT EXISTS ${VECTOR_INDEX} ON knowledge_rag_chunks USING hnsw (embedding vector_cosine_ops) WITH (${HNSW_INDEX_OPTIONS})`;


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = `c.id, c.workspace_id, c.message_id, c.chunk_index, c."text", c.source_id, c.source_kind, c.channel_id, c.channel_name, c.conversation_id,
  c.author_subject_id, c.author_name, c.external_id, c.external_url, c.sent_at`;

/** `WHERE` conditions of the filters on alias c, numbering parameters after `params`. */
function filterSql(filters: SearchFilters | undefined, params: unknown[]): string {
  const where: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filters?.sourceId) where.push(`c.source_id = ${p(filters.sourceId)}::uuid`);
  if (filters?.channel) {
    const x = p(filters.channel.replace(/^#/, ''));
    where.push(`(c.channel_id = ${x} OR lower(ltrim(c.channel_name, '#')) = lower(${x}))`);
  }
  if (filters?.author) {
    const x = p(filters.author);
    where.push(`(c.author_subject_id = ${x} OR c.author_external_id = ${x} OR lower(c.author_name) = lower(${x}))`);
  }
  if (filters?.from) where.push(`c.sent_at >= ${p(filters.from)}::timestamptz`);
  if (filters?.to) where.push(`c.sent_at < ${p(filters.to)}::timestamptz`);
  return where.length ? ` AND ${where.join(' AND ')}` : '';
}

/**
 * The SQL of search over knowledge_rag_chunks (full-text and semantic legs). Every query is
 * confined to one workspace by `c.workspace_id = $1`.
 */
export class KnowledgeSearchQueries {
  private iterativeScan: Promise<boolean> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly textConfig: string,
  ) {}

  /**
   * Ranked by ts_rank_cd over the GIN-matched rows, top `limit`; with `headlines`, ts_headline
   * (the costly part) for those rows only. Hybrid search asks for none and calls `headlines`
   * for the few hits it keeps.
   */
  async fullText(workspaceId: string, q: string, kind: FullTextQueryKind, limit: number, filters?: SearchFilters, headlines = true): Promise<ChunkHitRow[]> {
    const params: unknown[] = [workspaceId, this.textConfig, q, limit, Math.max(RERANK_MIN, 4 * limit)];
    const where = filterSql(filters, params);
    // ts_rank_cd (cover density) cost ~25-45 us a row at 200k chunks, ts_rank a tenth of that:
    // over the 2-5k chunks a common query matches it was most of the leg. So every match gets
    // the cheap ts_rank, and only its best $5 get ts_rank_cd, which orders the hits.
    const r = await this.pool.query<ChunkHitRow>(
      `WITH q AS (SELECT ${kind === 'websearch' ? ALL_WORDS : ANY_WORD} AS query),
       matched AS (
         SELECT ${COLUMNS}, c.search_vector
           FROM knowledge_rag_chunks c, q
          WHERE c.workspace_id = $1 AND c.search_vector @@ q.query${where}${kind === 'any-word-capped' ? `
          LIMIT ${ANY_WORD_CANDIDATES}` : ''}),
       pre AS (
         SELECT m.* FROM matched m, q
          ORDER BY ts_rank(m.search_vector, q.query) DESC, m.sent_at DESC, m.id
          LIMIT $5),
       top AS (
         SELECT pre.*, ts_rank_cd(pre.search_vector, q.query) AS score
           FROM pre, q
          ORDER BY score DESC, pre.sent_at DESC, pre.id
          LIMIT $4)
       SELECT ${COLUMNS.replace(/\bc\./g, 'top.')}, top.score${headlines ? `, ${HEADLINE}` : ''}
         FROM top, q
        ORDER BY top.score DESC, top.sent_at DESC, top.id`,
      params,
    );
    return r.rows.map((row) => ({ ...row, score: Number(row.score) }));
  }

  /** Headlines of the given chunks for the query's words (any of them), by chunk id. */
  async headlines(workspaceId: string, q: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const r = await this.pool.query<{ id: string; headline: string }>(
      `WITH q AS (SELECT ${ANY_WORD} AS query)
       SELECT top.id, ${HEADLINE}
         FROM knowledge_rag_chunks top, q
        WHERE top.workspace_id = $1 AND top.id = ANY($4::uuid[]) AND top.search_vector @@ q.query`,
      [workspaceId, this.textConfig, q, ids],
    );
    return new Map(r.rows.map((row) => [row.id, row.headline]));
  }

  /**
   * Nearest ready chunks by cosine distance over the HNSW index. ef_search grows with k, and
   * pgvector's iterative scan (0.8+) keeps walking the graph when the workspace and filter
   * conditions discard candidates, so a small workspace in a large table still gets k hits.
   */
  async semantic(workspaceId: string, vector: number[], limit: number, filters?: SearchFilters): Promise<ChunkHitRow[]> {
    const iterative = await this.supportsIterativeScan();
    return inTransaction(this.pool, async (tx) => {
      // One round trip for both settings (the leg runs BEGIN, settings, query, COMMIT).
      await tx.query(
        `SELECT set_config('hnsw.ef_search', $1, true)${iterative ? `, set_config('hnsw.iterative_scan', 'relaxed_order', true)` : ''}`,
        [String(Math.min(1000, Math.max(EF_SEARCH_MIN, 2 * limit)))],
      );
      const params: unknown[] = [workspaceId, toVectorLiteral(vector), limit];
      const where = filterSql(filters, params);
      // relaxed_order may return neighbours slightly out of order: sorted again outside. A chunk
      // with nothing in common with the query (cosine <= 0, or NaN) is no hit.
      const r = await tx.query<ChunkHitRow & { distance: number }>(
        `WITH nearest AS MATERIALIZED (
           SELECT ${COLUMNS}, c.embedding <=> $2::vector AS distance
             FROM knowledge_rag_chunks c
            WHERE c.workspace_id = $1 AND c.embedding_status = 'ready' AND c.embedding IS NOT NULL${where}
            ORDER BY c.embedding <=> $2::vector
            LIMIT $3)
         SELECT * FROM nearest WHERE distance < 1 ORDER BY distance, id`,
        params,
      );
      return r.rows.map(({ distance, ...row }) => ({ ...row, score: 1 - Number(distance) }));
    });
  }

  /**
   * The mean of a message's embedded chunks (the direction of the whole message), null when the
   * message has none in the workspace (not chunked or embedded yet, deleted, or no such message).
   */
  async messageVector(workspaceId: string, messageId: string): Promise<number[] | null> {
    if (!UUID.test(messageId)) return null;
    const r = await this.pool.query<{ v: string | null }>(
      `SELECT avg(c.embedding)::text AS v
         FROM knowledge_rag_chunks c
        WHERE c.workspace_id = $1 AND c.message_id = $2::uuid AND c.embedding_status = 'ready' AND c.embedding IS NOT NULL`,
      [workspaceId, messageId],
    );
    const v = r.rows[0]?.v;
    return v ? fromVectorLiteral(v) : null;
  }

  private supportsIterativeScan(): Promise<boolean> {
    this.iterativeScan ??= this.pool
      .query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)
      .then((r) => {
        const [major, minor] = (r.rows[0]?.v ?? '0.0').split('.').map(Number);
        return major > 0 || minor >= 8;
      })
      .catch(() => false);
    return this.iterativeScan;
  }
}
