import { Inject, Injectable, Logger } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { Embedder } from '@libs/ai/embedder';
import { PG_POOL } from '@libs/database/database-backend';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import type { EmbeddingSpaceIdentity as SpaceIdentity, EmbeddingSpaceState as SpaceState } from '@modules/knowledge/contracts/knowledge-embeddings';
import { embeddingModelChanged, REEMBED_COMMAND } from '@modules/knowledge/domain/search/knowledge-search.errors';
import { evidencePeople, evidenceSearchText } from '@modules/knowledge/infrastructure/knowledge-chunks.writer';
import { CREATE_VECTOR_INDEX, VECTOR_INDEX } from '@modules/knowledge/infrastructure/knowledge-search.queries';

const CACHE_MS = 5_000;

/**
 * The embedding space of knowledge_rag_chunks.embedding: one row (knowledge_embedding_space)
 * naming the model and dimension the stored vectors belong to, and a column typed vector(dim)
 * with its HNSW index.
 *
 * At start-up (`ensure`): a new space, or one with nothing embedded yet, takes the configured
 * embedder's model and dimension (the column and index follow). A configured model or dimension
 * that differs from vectors already stored destroys nothing: the space is "mismatched", semantic
 * and hybrid search answer 409 naming the CLI command, full-text keeps working, and the worker
 * embeds nothing until `npm run cli -- knowledge reembed` switches the space (`switchToConfigured`).
 */
@Injectable()
export class KnowledgeEmbeddingSpace {
  private readonly logger = new Logger('KnowledgeEmbeddings');
  private cached: { at: number; state: SpaceState } | null = null;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly embedder: Embedder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  configured(): SpaceIdentity {
    return { provider: this.embedder.provider, model: this.embedder.model, dimension: this.embedder.dimension };
  }

  /** Sets the space up or reports the mismatch; also rebuilds the tsvectors when SEARCH_TEXT_CONFIG changed. */
  async ensure(): Promise<SpaceState> {
    const configured = this.configured();
    // A configuration name PostgreSQL does not know would fail every write later: refuse it now.
    await this.pool.query(`SELECT $1::regconfig`, [this.config.SEARCH_TEXT_CONFIG]).catch((err: Error) => {
      throw new Error(`SEARCH_TEXT_CONFIG=${this.config.SEARCH_TEXT_CONFIG} is not a text search configuration of the database: ${err.message}`);
    });
    const state = await inTransaction(this.pool, async (tx) => {
      // Processes starting together take turns here.
      await tx.query(`LOCK TABLE knowledge_embedding_space IN SHARE ROW EXCLUSIVE MODE`);
      const row = await this.storedRow(tx);
      await this.ensureTextConfig(tx, row?.text_search_config ?? null);
      let stored: SpaceIdentity | null = row ? { provider: row.provider, model: row.model, dimension: row.dimension } : null;
      if (!stored || !same(stored, configured)) {
        const embedded = await tx.query<{ model: string | null }>(`SELECT embedding_model AS model FROM knowledge_rag_chunks WHERE embedding IS NOT NULL LIMIT 1`);
        if (embedded.rows.length === 0) {
          await this.retype(tx, configured.dimension);
          stored = configured;
        } else if (!stored) {
          // Vectors without a recorded space (an older start-up was interrupted): they are what the column says.
          stored = { provider: 'unknown', model: embedded.rows[0].model ?? 'unknown', dimension: await this.columnDimension(tx) };
        }
        await this.saveRow(tx, stored);
      }
      await this.ensureIndex(tx);
      return { stored, configured, matches: same(stored, configured) };
    });
    if (!state.matches) {
      this.logger.warn(
        { stored: state.stored, configured },
        `The configured embedding model (${configured.model}, ${configured.dimension} dimensions) differs from the stored vectors' (${state.stored?.model}, ${state.stored?.dimension}): semantic and hybrid search are off and nothing is embedded until \`${REEMBED_COMMAND}\` runs`,
      );
    }
    this.cached = { at: Date.now(), state };
    return state;
  }

  /** The space as stored now (cached for a few seconds: the CLI may switch it under a running app). */
  async state(): Promise<SpaceState> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.state;
    const row = await this.storedRow(this.pool);
    const configured = this.configured();
    const stored = row ? { provider: row.provider, model: row.model, dimension: row.dimension } : null;
    const state = { stored, configured, matches: !!stored && same(stored, configured) };
    this.cached = { at: Date.now(), state };
    return state;
  }

  /** Throws the 409 of a mismatched space. */
  async assertUsable(): Promise<void> {
    const s = await this.state();
    if (!s.matches) throw embeddingModelChanged(s.stored ?? { model: 'none', dimension: 0 }, s.configured);
  }

  /**
   * The re-embedding's first step, in one transaction: the column becomes vector(configured
   * dimension) (old vectors dropped: they cannot be compared with new ones), every chunk goes
   * back to pending, the space row names the configured model, the HNSW index is rebuilt.
   * Answers how many chunks now wait.
   */
  async switchToConfigured(): Promise<number> {
    const configured = this.configured();
    const pending = await inTransaction(this.pool, async (tx) => {
      await tx.query(`LOCK TABLE knowledge_embedding_space IN SHARE ROW EXCLUSIVE MODE`);
      await this.retype(tx, configured.dimension, true);
      const r = await tx.query(
        `UPDATE knowledge_rag_chunks
            SET embedding = NULL, embedding_status = 'pending', embedding_model = NULL, embedding_attempts = 0, embedding_error = NULL,
                next_attempt_at = NULL, last_embedded_at = NULL, updated_at = now()`,
      );
      await this.saveRow(tx, configured);
      await this.ensureIndex(tx);
      return r.rowCount ?? 0;
    });
    this.cached = null;
    return pending;
  }

  private async storedRow(db: Pool | PoolClient) {
    const r = await db.query<{ provider: string; model: string; dimension: number; text_search_config: string }>(
      `SELECT provider, model, dimension, text_search_config FROM knowledge_embedding_space WHERE id = 1`,
    );
    return r.rows[0] ?? null;
  }

  private async saveRow(tx: PoolClient, space: SpaceIdentity): Promise<void> {
    await tx.query(
      `INSERT INTO knowledge_embedding_space (id, provider, model, dimension, text_search_config, changed_at) VALUES (1, $1, $2, $3, $4, now())
       ON CONFLICT (id) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model, dimension = EXCLUDED.dimension, changed_at = now()
        WHERE (knowledge_embedding_space.provider, knowledge_embedding_space.model, knowledge_embedding_space.dimension) IS DISTINCT FROM (EXCLUDED.provider, EXCLUDED.model, EXCLUDED.dimension)`,
      [space.provider, space.model, space.dimension, this.config.SEARCH_TEXT_CONFIG],
    );
  }

  private async columnDimension(tx: PoolClient): Promise<number> {
    const r = await tx.query<{ dim: number }>(
      `SELECT atttypmod AS dim FROM pg_attribute WHERE attrelid = 'knowledge_rag_chunks'::regclass AND attname = 'embedding'`,
    );
    return r.rows[0].dim;
  }

  /** vector(dim), the old values dropped; the index goes with the old type and ensureIndex makes the new one. */
  private async retype(tx: PoolClient, dimension: number, always = false): Promise<void> {
    if (!always && (await this.columnDimension(tx)) === dimension) return;
    const dim = Math.trunc(dimension);
    await tx.query(`DROP INDEX IF EXISTS ${VECTOR_INDEX}`);
    await tx.query(`ALTER TABLE knowledge_rag_chunks ALTER COLUMN embedding TYPE vector(${dim}) USING NULL`);
  }

  private async ensureIndex(tx: PoolClient): Promise<void> {
    await tx.query(CREATE_VECTOR_INDEX);
  }

  /** The tsvectors are written with SEARCH_TEXT_CONFIG: when it changed, rewrite them with the new one. */
  private async ensureTextConfig(tx: PoolClient, stored: string | null): Promise<void> {
    const cfg = this.config.SEARCH_TEXT_CONFIG;
    if (stored === null || stored === cfg) return;
    this.logger.log({ from: stored, to: cfg }, 'SEARCH_TEXT_CONFIG changed: rebuilding the full-text vectors of chunks and evidence');
    await tx.query(`UPDATE knowledge_rag_chunks SET search_vector = to_tsvector($1::regconfig, "text")`, [cfg]);
    await tx.query(`UPDATE knowledge_evidence_items SET search_text = ${evidenceSearchText('$1::regconfig', 'title', 'content', evidencePeople('author_name', 'channel_name'))}`, [cfg]);
    await tx.query(`UPDATE knowledge_embedding_space SET text_search_config = $1`, [cfg]);
  }
}

const same = (a: SpaceIdentity, b: SpaceIdentity) => a.model === b.model && a.dimension === b.dimension;
