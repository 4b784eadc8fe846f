import { Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { toVectorLiteral } from '@libs/database/vector-literal';
import { Queryable, RecordedEvent } from '@libs/event-store/event-store.types';
import { BatchedConsumer, ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { Embedder } from '@libs/ai/embedder';

/** Texts per embedding call. */
const EMBED_BATCH = 64;
/** Rows the healing sweep embeds per round. */
const HEAL_BATCH = 64;
/** How often an idle consumer looks for rows without an embedding of the current model (after a rebuild, a model change). */
const HEAL_INTERVAL_MS = 3_000;
/** How often it also compares every row's text with what was embedded (a lost write): that hashes every text, so it is rarer. */
const FULL_HEAL_INTERVAL_MS = 60_000;
/** Embedding inputs are capped (OpenAI's limit is 8191 tokens); the hash is of the whole text, so a change past the cap still re-embeds. */
const MAX_EMBEDDED_CHARS = 8_000;

/**
 * One kind of read-model row whose text is embedded into the row itself. The table has `id`
 * (uuid), `workspace_id`, `updated_at` and the columns `embedding` (vector), `embedding_model`,
 * `embedding_text_md5` and `embedding_updated_at`.
 */
export interface EmbeddedRowKind {
  /** A short name: the usage log's node and the `onEmbedded` callback say which kind was embedded. */
  kind: string;
  table: string;
  /** SQL expression over a row: the text embedded (its md5 tells whether a stored vector is still of it). */
  text: string;
  /** SQL condition of the rows embedded at all (e.g. `archived_at IS NULL`); every row when absent. */
  where?: string;
  /** The events that change what such a row is about. */
  eventTypes: string[];
  /** The field of those events' data that holds the row's id. */
  idField: string;
  /** The usage log's node of its embedding calls. */
  node: string;
}

export interface RowEmbeddingConfig {
  /** The consumer's name (its checkpoint row). */
  name: string;
  /** The usage log's workflow of its embedding calls. */
  workflow: string;
  kinds: EmbeddedRowKind[];
}

interface Target {
  kind: EmbeddedRowKind;
  id: string;
  workspaceId: string;
  text: string;
  md5: string;
}

interface Embedded {
  targets: Target[];
  vectors: Map<Target, number[]>;
}

/**
 * Embeds the text of read-model rows into the rows themselves, for every configured kind: a
 * BatchedConsumer of the events that change them, with its own checkpoint. A batch embeds in
 * `prepare`, BEFORE its transaction (a model call must not hold locks), then writes the vectors
 * and moves the checkpoint in one transaction. It always embeds a row's current text, and writes
 * only if the text is still the one embedded (md5), so an edit racing a batch is never
 * overwritten with a stale vector: that edit's own event embeds it again.
 *
 * Read models can be rebuilt (their rows come back without vectors) and the model can change:
 * when idle, the consumer also heals every row whose embedding is missing, of another model or
 * dimension, or of another text. A failing batch is retried event by event and the culprit
 * parked; the sweep tries its row again later.
 */
export class RowEmbeddingConsumer extends BatchedConsumer<Embedded, Target[]> {
  readonly name: string;
  readonly eventTypes: string[];
  readonly ordering = 'none';
  private readonly logger: Logger;
  private lastHeal = 0;
  private lastFullHeal = 0;

  constructor(
    deps: ConsumerDeps,
    options: ConsumerOptions,
    private readonly embedder: Embedder,
    private readonly config: RowEmbeddingConfig,
    /** Called after rows of these kinds got a new embedding (a batch committed, a healing round). */
    private readonly onEmbedded: (kinds: ReadonlySet<string>) => void = () => undefined,
  ) {
    super(deps, options);
    this.name = config.name;
    this.eventTypes = [...new Set(config.kinds.flatMap((k) => k.eventTypes))];
    this.logger = new Logger(`RowEmbeddings ${config.name}`);
  }

  override async prepare(events: RecordedEvent[], db: Queryable): Promise<Embedded> {
    const targets = await this.targets(this.idsOf(events), db);
    return { targets, vectors: await this.embed(targets) };
  }

  async apply(tx: PoolClient, _events: RecordedEvent[], { targets, vectors }: Embedded): Promise<Target[]> {
    await this.write(tx, targets, vectors);
    return targets;
  }

  override afterCommit(targets: Target[]): void {
    this.afterWrite(targets);
  }

  override async onIdle(): Promise<void> {
    if (Date.now() - this.lastHeal < HEAL_INTERVAL_MS) return;
    const full = Date.now() - this.lastFullHeal >= FULL_HEAL_INTERVAL_MS;
    await this.heal(full).catch((err) => this.logger.warn({ err }, 'healing embeddings failed; trying again later'));
  }

  override onParked(e: RecordedEvent, err: string): void {
    this.logger.warn({ eventId: e.eventId, type: e.type, err }, 'row embedding parked');
  }

  /**
   * Rows of any workspace without a vector of the current model and dimension (and, `full`, with a
   * vector of another text), a round at a time, until none is left.
   */
  async heal(full = true, maxRounds = 20): Promise<number> {
    this.lastHeal = Date.now();
    if (full) this.lastFullHeal = this.lastHeal;
    let done = 0;
    for (let round = 0; round < maxRounds; round++) {
      const targets = await this.targets(null, this.deps.pool, HEAL_BATCH, full);
      if (targets.length === 0) break;
      const vectors = await this.embed(targets);
      await inTransaction(this.deps.pool, (tx) => this.write(tx, targets, vectors));
      done += targets.length;
      this.afterWrite(targets);
    }
    return done;
  }

  /** The ids of the rows `events` are about, by kind. */
  private idsOf(events: RecordedEvent[]): Map<EmbeddedRowKind, string[]> {
    const ids = new Map<EmbeddedRowKind, string[]>();
    for (const kind of this.config.kinds) {
      const of = new Set<string>();
      for (const e of events) {
        const id = (e.data as Record<string, unknown> | null)?.[kind.idField];
        if (kind.eventTypes.includes(e.type) && typeof id === 'string') of.add(id);
      }
      ids.set(kind, [...of]);
    }
    return ids;
  }

  /** Rows (of `ids`, or any when null) whose stored vector is not of their current text (`checkText`) in the current space. */
  private async targets(ids: Map<EmbeddedRowKind, string[]> | null, db: Queryable, limit = 10_000, checkText = true): Promise<Target[]> {
    const out: Target[] = [];
    for (const kind of this.config.kinds) {
      const of = ids?.get(kind) ?? null;
      if (ids && !of?.length) continue;
      const { table, text } = kind;
      const r = await db.query<{ id: string; workspace_id: string; text: string; md5: string }>(
        `SELECT id, workspace_id, ${text} AS text, md5(${text}) AS md5 FROM ${table}
          WHERE ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) AND (${kind.where ?? 'true'})
            AND (embedding IS NULL OR embedding_model IS DISTINCT FROM $2 OR vector_dims(embedding) <> $3 OR ($5::boolean AND embedding_text_md5 IS DISTINCT FROM md5(${text})))
          ORDER BY updated_at LIMIT $4`,
        [of, this.embedder.model, this.embedder.dimension, limit, checkText],
      );
      out.push(...r.rows.map((row) => ({ kind, id: row.id, workspaceId: row.workspace_id, text: row.text, md5: row.md5 })));
    }
    return out;
  }

  /** One call per workspace and kind (the usage log attributes each to its workspace), EMBED_BATCH texts at a time. */
  private async embed(targets: Target[]): Promise<Map<Target, number[]>> {
    const out = new Map<Target, number[]>();
    const groups = new Map<string, Target[]>();
    for (const t of targets) {
      const key = `${t.workspaceId}:${t.kind.kind}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += EMBED_BATCH) {
        const slice = group.slice(i, i + EMBED_BATCH);
        const vectors = await this.embedder.embed(
          slice.map((t) => t.text.slice(0, MAX_EMBEDDED_CHARS)),
          { workspaceId: slice[0].workspaceId, workflow: this.config.workflow, node: slice[0].kind.node },
        );
        slice.forEach((t, k) => out.set(t, vectors[k]));
      }
    }
    return out;
  }

  private async write(tx: PoolClient, targets: Target[], vectors: Map<Target, number[]>): Promise<void> {
    for (const t of targets) {
      const vector = vectors.get(t);
      if (!vector) continue;
      const { table, text } = t.kind;
      // Only if the row still says what was embedded; otherwise its newer event embeds it.
      await tx.query(
        `UPDATE ${table} SET embedding = $2::vector, embedding_model = $3, embedding_text_md5 = $4, embedding_updated_at = now()
          WHERE id = $1 AND md5(${text}) = $4`,
        [t.id, toVectorLiteral(vector), this.embedder.model, t.md5],
      );
    }
  }

  private afterWrite(targets: Target[]): void {
    if (targets.length) this.onEmbedded(new Set(targets.map((t) => t.kind.kind)));
  }
}
