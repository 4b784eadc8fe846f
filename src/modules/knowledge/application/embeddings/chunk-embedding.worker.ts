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
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.embedPending();
        } while (this.again && !this.stopping);
      } catch (err) {
        this.logger.error({ err }, 'embedding run failed');
      } finally {
        this.running = null;
      }
    })();
  }

  /** Resolves when the background run (if any) is over. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  /** Claims and embeds pending chunks until none is left. */
  async embedPending(options: { batchSize?: number; onProgress?: (s: EmbeddingRunSummary) => void } = {}): Promise<EmbeddingRunSummary> {
    return this.drain({ limit: options.batchSize ?? CLAIM_SIZE }, options.onProgress);
  }

  /**
   * The retry job: chunks stuck in processing go back to pending, then pending chunks and failed
   * ones whose next attempt is due at `now` (and that have attempts left) are embedded.
   */
  async retryDue(now: Date = new Date()): Promise<EmbeddingRunSummary> {
    const released = await this.store.releaseStale(STALE_PROCESSING_MS);
    const summary = await this.drain({ limit: CLAIM_SIZE, retryFailed: { now, maxAttempts: this.config.EMBEDDING_MAX_ATTEMPTS } });
    return { ...summary, released: summary.released + released };
  }

  counts() {
    return this.store.counts();
  }

  private async drain(claim: ClaimOptions, onProgress?: (s: EmbeddingRunSummary) => void): Promise<EmbeddingRunSummary> {
    let total = emptySummary();
    // Terminates: a claimed chunk leaves 'pending', and a failure's next attempt lies ahead of `now`.
    while (!this.stopping) {
      const state = await this.space.state();
      if (!state.matches) {
        if (!this.warnedMismatch) this.logger.warn({ stored: state.stored, configured: state.configured }, 'embedding space mismatched: not embedding (run `npm run cli -- knowledge reembed`)');
        this.warnedMismatch = true;
        return { ...total, mismatched: true };
      }
      const chunks = await this.store.claim(claim);
      if (chunks.length === 0) break;
      total = add(total, await this.embedClaimed(chunks));
      onProgress?.(total);
      if (chunks.length < claim.limit) break;
    }
    return total;
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
