import { Pool } from 'pg';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import type { EmbeddingCounts } from '@modules/knowledge/contracts/knowledge-embeddings';
import { CREATE_VECTOR_INDEX, VECTOR_INDEX } from './knowledge-search.queries';

/** Serialises the bulk path's drop and rebuild of the HNSW index between processes. */
const VECTOR_INDEX_LOCK = `hashtext('${VECTOR_INDEX}')`;

export interface ClaimedChunk {
  id: string;
  workspaceId: string;
  text: string;
  textHash: string;
  attempts: number;
}

export interface ClaimOptions {
  limit: number;
  /** Also failed chunks whose next attempt is due at `now` and that have attempts left. */
  retryFailed?: { now: Date; maxAttempts: number };
}

export interface EmbeddingFailure {
  id: string;
  textHash: string;
  error: string;
  /** null: no attempt left, the chunk stays failed. */
  nextAttemptAt: Date | null;
}

export interface CacheSpace {
  model: string;
  dimension: number;
}

/**
 * The embedding lifecycle's SQL. Every write is guarded by (status 'processing', the claimed text
 * hash): a chunk edited or deleted while its batch was out at the provider is left as the
 * chunking consumer made it. Rows are locked in id order, the consumer's order.
 */
export class ChunkEmbeddingsStore {
  constructor(private readonly pool: Pool) {}

  /** pending (and due failed) -> processing; SKIP LOCKED lets several workers share the table. */
  async claim(options: ClaimOptions): Promise<ClaimedChunk[]> {
    const retry = options.retryFailed;
    const r = await this.pool.query<{ id: string; workspace_id: string; text: string; text_hash: string; embedding_attempts: number }>(
      `WITH picked AS (
         SELECT id FROM knowledge_rag_chunks
          WHERE embedding_status = 'pending'
             OR ($2::boolean AND embedding_status = 'failed' AND embedding_attempts < $3 AND next_attempt_at <= $4)
          ORDER BY created_at, id
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
       UPDATE knowledge_rag_chunks c SET embedding_status = 'processing', updated_at = now()
         FROM picked WHERE c.id = picked.id
       RETURNING c.id, c.workspace_id, c."text", c.text_hash, c.embedding_attempts`,
      [options.limit, !!retry, retry?.maxAttempts ?? 0, retry?.now ?? new Date(0)],
    );
    return r.rows.map((row) => ({ id: row.id, workspaceId: row.workspace_id, text: row.text, textHash: row.text_hash, attempts: row.embedding_attempts }));
  }

  /** Chunks left 'processing' by a worker that died: back to pending. */
  async releaseStale(olderThanMs: number): Promise<number> {
    const r = await this.pool.query(
      `UPDATE knowledge_rag_chunks SET embedding_status = 'pending', updated_at = now()
        WHERE embedding_status = 'processing' AND updated_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [olderThanMs],
    );
    return r.rowCount ?? 0;
  }

  /** Cached vectors (pgvector text form) by text hash, for one workspace and embedding space. */
  async cached(workspaceId: string, space: CacheSpace, hashes: string[]): Promise<Map<string, string>> {
    if (hashes.length === 0) return new Map();
    const r = await this.pool.query<{ text_hash: string; embedding: string }>(
      `SELECT text_hash, embedding::text AS embedding FROM knowledge_embedding_cache
        WHERE workspace_id = $1 AND model = $2 AND dimension = $3 AND text_hash = ANY($4::text[])`,
      [workspaceId, space.model, space.dimension, hashes],
    );
    return new Map(r.rows.map((row) => [row.text_hash, row.embedding]));
  }

  async remember(workspaceId: string, space: CacheSpace, vectors: Map<string, string>): Promise<void> {
    if (vectors.size === 0) return;
    await this.pool.query(
      `INSERT INTO knowledge_embedding_cache (workspace_id, model, dimension, text_hash, embedding)
       SELECT $1, $2, $3, h, v::vector FROM unnest($4::text[], $5::text[]) AS u(h, v)
       ON CONFLICT DO NOTHING`,
      [workspaceId, space.model, space.dimension, [...vectors.keys()], [...vectors.values()]],
    );
  }

  /**
   * processing -> ready with the vector. `attempted` chunks called the provider (their attempts
   * count up); cache hits did not. Answers how many rows changed.
   */
  async markReady(model: string, rows: { id: string; textHash: string; vector: string; attempted: boolean }[]): Promise<number> {
    if (rows.length === 0) return 0;
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return inTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT 1 FROM knowledge_rag_chunks WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [sorted.map((r) => r.id)]);
      const r = await tx.query(
        `UPDATE knowledge_rag_chunks c
            SET embedding = u.v::vector, embedding_status = 'ready', embedding_model = $5,
                embedding_attempts = c.embedding_attempts + CASE WHEN u.attempted THEN 1 ELSE 0 END,
                embedding_error = NULL, next_attempt_at = NULL, last_embedded_at = now(), updated_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[]) AS u(id, h, v, attempted)
          WHERE c.id = u.id AND c.text_hash = u.h AND c.embedding_status = 'processing'`,
        [sorted.map((r) => r.id), sorted.map((r) => r.textHash), sorted.map((r) => r.vector), sorted.map((r) => r.attempted), model],
      );
      return r.rowCount ?? 0;
    });
  }

  /** processing -> failed: one more attempt, the error, and when to try again (null: never). */
  async markFailed(model: string, rows: EmbeddingFailure[]): Promise<number> {
    if (rows.length === 0) return 0;
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return inTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT 1 FROM knowledge_rag_chunks WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [sorted.map((r) => r.id)]);
      const r = await tx.query(
        `UPDATE knowledge_rag_chunks c
            SET embedding_status = 'failed', embedding_model = $5, embedding_attempts = c.embedding_attempts + 1,
                embedding_error = u.e, next_attempt_at = u.n, updated_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS u(id, h, e, n)
          WHERE c.id = u.id AND c.text_hash = u.h AND c.embedding_status = 'processing'`,
        [sorted.map((r) => r.id), sorted.map((r) => r.textHash), sorted.map((r) => r.error), sorted.map((r) => r.nextAttemptAt), model],
      );
      return r.rowCount ?? 0;
    });
  }

  /** Chunks with the given status, counted up to `atMost` (a bounded count stays cheap on a large table). */
  async countUpTo(status: 'pending' | 'ready', atMost: number): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM knowledge_rag_chunks WHERE embedding_status = $1 LIMIT $2) s`,
      [status, atMost],
    );
    return r.rows[0].n;
  }

  async vectorIndexExists(): Promise<boolean> {
    const r = await this.pool.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [VECTOR_INDEX]);
    return r.rows[0].ok;
  }

  /** Drops the HNSW index (the bulk path): vectors are then written without graph inserts. */
  async dropVectorIndex(): Promise<void> {
    await inTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${VECTOR_INDEX_LOCK})`);
      await tx.query(`DROP INDEX IF EXISTS ${VECTOR_INDEX}`);
    });
  }

  /**
   * Builds the HNSW index if missing, with enough maintenance_work_mem for the graph to be built
   * in memory (and in parallel on PostgreSQL): on disk it is several times slower. Writes to the
   * chunks wait while it runs; searches do not. Answers whether this call built it.
   */
  async buildVectorIndex(): Promise<boolean> {
    return inTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${VECTOR_INDEX_LOCK})`);
      const exists = await tx.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [VECTOR_INDEX]);
      if (exists.rows[0].ok) return false;
      // ~ the vector and its neighbour lists per chunk, capped at 1 GB; never below the setting.
      const r = await tx.query<{ n: string; dim: number; mem: string }>(
        `SELECT count(*) AS n, (SELECT atttypmod FROM pg_attribute WHERE attrelid = 'knowledge_rag_chunks'::regclass AND attname = 'embedding') AS dim,
                pg_size_bytes(current_setting('maintenance_work_mem')) AS mem
           FROM knowledge_rag_chunks WHERE embedding IS NOT NULL`,
      );
      const { n, dim, mem } = r.rows[0];
      const want = Math.min(1024 ** 3, Number(n) * (Math.max(1, dim) * 4 + 1024));
      if (want > Number(mem)) await tx.query(`SELECT set_config('maintenance_work_mem', $1, true)`, [`${Math.ceil(want / 1024 / 1024)}MB`]);
      await tx.query(CREATE_VECTOR_INDEX);
      return true;
    });
  }

  async counts(): Promise<EmbeddingCounts> {
    const r = await this.pool.query<{ status: keyof EmbeddingCounts; n: number }>(
      `SELECT embedding_status AS status, count(*)::int AS n FROM knowledge_rag_chunks GROUP BY embedding_status`,
    );
    const out: EmbeddingCounts = { pending: 0, processing: 0, ready: 0, failed: 0, total: 0 };
    for (const row of r.rows) {
      out[row.status] = row.n;
      out.total += row.n;
    }
    return out;
  }
}
