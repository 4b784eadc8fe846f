import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { AiProviderError } from '@libs/ai/ai-call';
import { Embedder } from '@libs/ai/embedder';
import { PG_POOL } from '@libs/database/database-backend';
import { toVectorLiteral } from '@libs/database/vector-literal';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import type { EmbeddingRunSummary } from '@modules/knowledge/contracts/knowledge-embeddings';
import { nextEmbeddingAttemptDelay } from '@modules/knowledge/domain/chunking/embedding-retry';
import { normaliseChunkText } from '@modules/knowledge/domain/chunking/message-chunker';
import { ChunkEmbeddingsStore, ClaimedChunk, ClaimOptions, EmbeddingFailure } from '@modules/knowledge/infrastructure/chunk-embeddings.store';
import { KnowledgeEmbeddingSpace } from './knowledge-embedding-space';

export const EMBED_WORKFLOW = 'knowledge.embed-chunks';
/** Texts per call to the embedder (OpenAI accepts up to 2048 inputs; 64 keeps a failed call cheap). */
export const EMBED_CALL_SIZE = 64;
/** Chunks claimed at a time. */
const CLAIM_SIZE = 256;
/** A chunk 'processing' this long belongs to a worker that died. */
export const STALE_PROCESSING_MS = 15 * 60_000;
/**
 * The bulk path: at least this many chunks pending, and at least a quarter as many as are ready,
 * and the HNSW index is dropped while they are embedded, then built again. Measured at 200k
 * chunks: an incremental HNSW insert ~3 ms (283 chunks/s through the whole pipeline), a build
 * ~0.5 ms a vector; dropping pays once the backlog is more than ~1/5 of what is indexed.
 */
export const BULK_BACKLOG = 20_000;
/** The rebuild after a bulk waits until no chunk came for this long, so a running import is not cut in two. */
export const BULK_QUIET_MS = 3_000;

const emptySummary = (): EmbeddingRunSummary => ({ claimed: 0, ready: 0, failed: 0, cached: 0, embedded: 0, released: 0, mismatched: false });
const add = (a: EmbeddingRunSummary, b: EmbeddingRunSummary): EmbeddingRunSummary => ({
  claimed: a.claimed + b.claimed,
  ready: a.ready + b.ready,
  failed: a.failed + b.failed,
  cached: a.cached + b.cached,
  embedded: a.embedded + b.embedded,
  released: a.released + b.released,
  mismatched: a.mismatched || b.mismatched,
});

const errorText = (err: unknown) => {
  const text = err instanceof AiProviderError ? `${err.kind}${err.details.status ? ` (${err.details.status})` : ''}: ${err.message}` : err instanceof Error ? err.message : String(err);
  return text.slice(0, 2000);
};

/**
 * Embeds chunks: pending -> processing -> ready | failed.
 *
 * A run claims chunks in batches (SKIP LOCKED), takes what the per-workspace cache already has
 * (identical text is embedded once per workspace and model), sends the rest to the Embedder in
 * calls of EMBED_CALL_SIZE distinct texts (one workspace per call, so usage is metered to it),
 * and writes vectors, or the error with a backed-off next attempt. Never inside a transaction
 * while the provider is called: the embedded backend has one connection.
 *
 * A large backlog (an import, a re-embedding, a worker far behind; BULK_BACKLOG) takes the bulk
 * path: the HNSW index is dropped, vectors are written without graph inserts, and the index is
 * built again once the backlog is gone (BULK_QUIET_MS after the last wake-up; at the end of an
 * explicit run). Meanwhile semantic search is exact (a sequential scan) and the rebuild makes
 * chunk writes wait; a process that dies in between leaves the index to the next start-up
 * (KnowledgeEmbeddingSpace.ensure creates it). Single messages keep the incremental path.
 *
 * Who runs it: the chunking consumer wakes it after a batch (processes with RUN_SUBSCRIPTIONS),
 * the retry job (RUN_JOBS) retries due failures and picks up anything left, and the CLI's
 * `knowledge reembed`. An HTTP-only process has neither and never embeds.
 */
@Injectable()
export class ChunkEmbeddingWorker implements BeforeApplicationShutdown {
  private readonly logger = new Logger('KnowledgeEmbeddings');
  private readonly store: ChunkEmbeddingsStore;
  private running: Promise<unknown> | null = null;
  private again = false;
  private stopping = false;
  private warnedMismatch = false;
  /** The backlog from which background runs take the bulk path (benches and tests lower it). */
  bulkBacklog = BULK_BACKLOG;
  /** This process dropped the HNSW index for a bulk and has not built it again yet. */
  private indexDeferred = false;
  private rebuildTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    private readonly embedder: Embedder,
    private readonly space: KnowledgeEmbeddingSpace,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.store = new ChunkEmbeddingsStore(pool);
  }

  /** Embeds what is pending, in the background; wake-ups during a run make it go round once more. */
  wake(): void {
    if (this.stopping) return;
    if (this.rebuildTimer) {
      clearTimeout(this.rebuildTimer);
      this.rebuildTimer = null;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.drain({ limit: CLAIM_SIZE, bulkFrom: this.bulkBacklog });
        } while (this.again && !this.stopping);
      } catch (err) {
        this.logger.error({ err }, 'embedding run failed');
      } finally {
        this.running = null;
        if (this.indexDeferred) this.scheduleRebuild();
      }
    })();
  }

  /** Resolves when the background run (if any) is over. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    await this.idle();
  }

  /**
   * Claims and embeds pending chunks until none is left; a backlog of `bulkFrom` chunks or more
   * (default BULK_BACKLOG) takes the bulk path, and the index is built again before this returns.
   */
  async embedPending(options: { batchSize?: number; bulkFrom?: number; onProgress?: (s: EmbeddingRunSummary) => void } = {}): Promise<EmbeddingRunSummary> {
    const summary = await this.drain({ limit: options.batchSize ?? CLAIM_SIZE, bulkFrom: options.bulkFrom ?? this.bulkBacklog }, options.onProgress);
    await this.rebuildDeferredIndex();
    return summary;
  }

  /**
   * The retry job: chunks stuck in processing go back to pending, then pending chunks and failed
   * ones whose next attempt is due at `now` (and that have attempts left) are embedded.
   */
  async retryDue(now: Date = new Date()): Promise<EmbeddingRunSummary> {
    const released = await this.store.releaseStale(STALE_PROCESSING_MS);
    const summary = await this.drain({ limit: CLAIM_SIZE, bulkFrom: this.bulkBacklog, retryFailed: { now, maxAttempts: this.config.EMBEDDING_MAX_ATTEMPTS } });
    await this.rebuildDeferredIndex();
    return { ...summary, released: summary.released + released };
  }

  counts() {
    return this.store.counts();
  }

  private async drain(claim: ClaimOptions & { bulkFrom: number }, onProgress?: (s: EmbeddingRunSummary) => void): Promise<EmbeddingRunSummary> {
    let total = emptySummary();
    // Terminates: a claimed chunk leaves 'pending', and a failure's next attempt lies ahead of `now`.
    while (!this.stopping) {
      const state = await this.space.state();
      if (!state.matches) {
        if (!this.warnedMismatch) this.logger.warn({ stored: state.stored, configured: state.configured }, 'embedding space mismatched: not embedding (run `npm run cli -- knowledge reembed`)');
        this.warnedMismatch = true;
        return { ...total, mismatched: true };
      }
      // Checked before every batch: a backlog builds up while an import runs.
      if (!this.indexDeferred) await this.deferIndexIfFarBehind(claim.bulkFrom);
      const chunks = await this.store.claim(claim);
      if (chunks.length === 0) break;
      total = add(total, await this.embedClaimed(chunks));
      onProgress?.(total);
      if (chunks.length < claim.limit) break;
    }
    return total;
  }

  /** The bulk path's entry: drops the HNSW index when the backlog is large (see BULK_BACKLOG). */
  private async deferIndexIfFarBehind(bulkFrom: number): Promise<void> {
    const pending = await this.store.countUpTo('pending', bulkFrom);
    if (pending < bulkFrom) return;
    // Whole backlog, counted once it is known to be large.
    const backlog = await this.store.countUpTo('pending', Number.MAX_SAFE_INTEGER);
    const ready = await this.store.countUpTo('ready', 4 * backlog + 1);
    if (4 * backlog < ready || !(await this.store.vectorIndexExists())) return;
    this.logger.log({ backlog, ready }, 'embedding backlog: HNSW index dropped until it is embedded');
    await this.store.dropVectorIndex();
    this.indexDeferred = true;
  }

  private scheduleRebuild(): void {
    if (this.stopping || this.rebuildTimer) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = null;
      // A run in progress schedules the rebuild again when it ends.
      if (this.running || this.stopping) return;
      this.running = this.rebuildDeferredIndex()
        .catch((err) => this.logger.error({ err }, 'HNSW index rebuild failed'))
        .finally(() => {
          this.running = null;
          if (this.again) this.wake();
        });
    }, BULK_QUIET_MS);
    this.rebuildTimer.unref?.();
  }

  private async rebuildDeferredIndex(): Promise<void> {
    if (!this.indexDeferred) return;
    const t0 = Date.now();
    const built = await this.store.buildVectorIndex();
    this.indexDeferred = false;
    if (built) this.logger.log({ ms: Date.now() - t0 }, 'HNSW index built again after the embedding backlog');
  }

  private async embedClaimed(chunks: ClaimedChunk[]): Promise<EmbeddingRunSummary> {
    const summary = { ...emptySummary(), claimed: chunks.length };
    const model = this.embedder.model;
    const space = { model, dimension: this.embedder.dimension };
    const byWorkspace = new Map<string, ClaimedChunk[]>();
    for (const c of chunks) byWorkspace.set(c.workspaceId, [...(byWorkspace.get(c.workspaceId) ?? []), c]);

    for (const [workspaceId, group] of byWorkspace) {
      const hashes = [...new Set(group.map((c) => c.textHash))];
      const vectors = await this.store.cached(workspaceId, space, hashes);
      const cachedHashes = new Set(vectors.keys());
      const misses = hashes.filter((h) => !vectors.has(h));
      const textOf = new Map(group.map((c) => [c.textHash, normaliseChunkText(c.text)]));
      const failedHashes = new Map<string, string>();

      for (let i = 0; i < misses.length; i += EMBED_CALL_SIZE) {
        const call = misses.slice(i, i + EMBED_CALL_SIZE);
        try {
          const out = await this.embedder.embed(
            call.map((h) => textOf.get(h)!),
            { workspaceId, workflow: EMBED_WORKFLOW, node: 'embed' },
          );
          if (out.length !== call.length) throw new AiProviderError('invalid_output', `the embedder answered ${out.length} vectors for ${call.length} texts`);
          const fresh = new Map<string, string>();
          call.forEach((h, k) => fresh.set(h, this.vectorLiteral(out[k])));
          await this.store.remember(workspaceId, space, fresh);
          for (const [h, v] of fresh) vectors.set(h, v);
          summary.embedded += call.length;
        } catch (err) {
          if (!(err instanceof AiProviderError)) this.logger.error({ err, workspaceId }, 'embedding call failed');
          for (const h of call) failedHashes.set(h, errorText(err));
        }
      }

      const ready = group
        .filter((c) => vectors.has(c.textHash))
        .map((c) => ({ id: c.id, textHash: c.textHash, vector: vectors.get(c.textHash)!, attempted: !cachedHashes.has(c.textHash) }));
      summary.ready += await this.store.markReady(model, ready);
      summary.cached += ready.filter((r) => !r.attempted).length;

      const now = Date.now();
      const failures: EmbeddingFailure[] = group
        .filter((c) => failedHashes.has(c.textHash))
        .map((c) => {
          const delay = nextEmbeddingAttemptDelay(c.attempts + 1, this.config.EMBEDDING_MAX_ATTEMPTS, Math.random());
          return { id: c.id, textHash: c.textHash, error: failedHashes.get(c.textHash)!, nextAttemptAt: delay === null ? null : new Date(now + delay) };
        });
      summary.failed += await this.store.markFailed(model, failures);
      if (failures.length) this.logger.warn({ workspaceId, chunks: failures.length, error: failures[0].error }, 'chunks failed to embed');
    }
    return summary;
  }

  /** pgvector's text form, after checking the vector fits the space. */
  private vectorLiteral(v: number[]): string {
    if (!Array.isArray(v) || v.length !== this.embedder.dimension || !v.every(Number.isFinite)) {
      throw new AiProviderError('invalid_output', `the embedder answered a vector of ${Array.isArray(v) ? v.length : 0} dimensions, expected ${this.embedder.dimension}`);
    }
    return toVectorLiteral(v);
  }
}
