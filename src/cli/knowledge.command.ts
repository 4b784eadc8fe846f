import { Inject, Provider } from '@nestjs/common';
import { Presets, SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { START_OF_LOG } from '@libs/event-store/event-store.types';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { CHUNKING_CONSUMER, KnowledgeEmbeddings } from '@modules/knowledge/contracts';

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * `knowledge reembed [--batch N]`: after a change of EMBEDDINGS_MODEL / EMBEDDING_DIMENSION /
 * provider. Switches the embedding space to the configured embedder (column vector(dim), HNSW
 * index, every chunk pending), then embeds every chunk with a progress bar (stderr) and prints a
 * JSON summary (stdout). The per-workspace cache saves the calls for texts this model embedded
 * before. Exit 0 all embedded, 1 some failed (the retry job takes them on).
 */
@SubCommand({ name: 'reembed', description: 'Re-embed every chunk with the configured embedding model and dimension, with a progress bar' })
class ReembedChunks extends CommandRunner {
  constructor(private readonly embeddings: KnowledgeEmbeddings) {
    super();
  }

  async run(_args: string[], opts: { batch?: number }): Promise<void> {
    const started = Date.now();
    const before = await this.embeddings.state();
    const total = await this.embeddings.switchToConfigured();
    const bar = new SingleBar(
      { format: `re-embedding [{bar}] {percentage}% | {value}/{total} chunks | {failed} failed | ETA {eta_formatted}`, hideCursor: true, stream: process.stderr },
      Presets.shades_classic,
    );
    bar.start(total, 0, { failed: 0 });
    let summary;
    try {
      summary = await this.embeddings.embedPending({
        batchSize: opts.batch,
        onProgress: (s) => bar.update(s.ready + s.failed, { failed: s.failed }),
      });
    } finally {
      bar.stop();
    }
    const counts = await this.embeddings.counts();
    print({
      from: before.stored,
      to: before.configured,
      chunks: total,
      ready: summary.ready,
      failed: summary.failed,
      fromCache: summary.cached,
      embeddedTexts: summary.embedded,
      counts,
      durationMs: Date.now() - started,
    });
    if (summary.failed > 0 || counts.failed > 0) process.exitCode = 1;
  }

  @Option({ flags: '-b, --batch <n>', description: 'chunks claimed per round (default 256)' })
  parseBatch(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error('--batch must be an integer from 1 to 10000');
    return n;
  }
}

/** `knowledge status`: the embedding space (stored vs configured) and chunks by embedding status. */
@SubCommand({ name: 'status', description: 'The embedding space (stored and configured model/dimension) and chunk counts by embedding status' })
class KnowledgeStatus extends CommandRunner {
  constructor(private readonly embeddings: KnowledgeEmbeddings) {
    super();
  }

  async run(): Promise<void> {
    const state = await this.embeddings.state();
    print({ space: state, chunks: await this.embeddings.counts() });
  }
}

/**
 * `knowledge rechunk`: the rebuild of chunks and evidence items (after a change of
 * KNOWLEDGE_CHUNK_TOKENS / KNOWLEDGE_CHUNK_OVERLAP, or to repair them): the `knowledge.chunking`
 * consumer goes back to the start of the log, and the app processes that run subscriptions
 * replay it. Chunk ids are stable and unchanged chunks keep their vectors; changed ones are
 * embedded again, mostly from the cache.
 */
@SubCommand({ name: 'rechunk', description: 'Chunk every message again: reset the knowledge.chunking consumer to the start of the log (running app processes replay it)' })
class RechunkMessages extends CommandRunner {
  constructor(
    private readonly checkpoints: SubscriptionCheckpoints,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {
    super();
  }

  async run(): Promise<void> {
    const before = await this.checkpoints.ensure(CHUNKING_CONSUMER, 'integration');
    await this.checkpoints.resetAfterRebuild(this.pool, CHUNKING_CONSUMER, START_OF_LOG, 0);
    print({ consumer: CHUNKING_CONSUMER, resetFrom: before.checkpoint, eventsProcessedBefore: before.eventsProcessed });
  }
}

@Command({ name: 'knowledge', description: 'Knowledge chunks and embeddings: status, reembed, rechunk', subCommands: [ReembedChunks, KnowledgeStatus, RechunkMessages] })
export class KnowledgeCommand extends CommandRunner {
  static readonly providers: Provider[] = [ReembedChunks, KnowledgeStatus, RechunkMessages];
  async run(): Promise<void> {
    process.stdout.write('usage: knowledge status | reembed [--batch N] | rechunk\n');
  }
}
