import { Logger } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { Embedder } from '@libs/ai/embedder';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { DurableConsumer } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { isolateFailingEvents, sameCheckpoint } from '@libs/eventsourcing/subscriptions/isolate-failing-events';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { BatchOutcome, ConsumerOptions } from '@libs/eventsourcing/subscriptions/projection-consumer';
import { CheckpointMovedError, SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { vectorLiteral } from '@modules/knowledge/infrastructure/knowledge-graph.queries';

export const GRAPH_EMBEDDINGS_CONSUMER = 'knowledge.graph-embeddings';
/** The events that change what a topic or an atom is about. */
export const EMBEDDED_EVENT_TYPES = ['knowledge.topic-created', 'knowledge.topic-updated', 'knowledge.atom-created', 'knowledge.atom-updated'];
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

type Kind = 'topic' | 'atom';

interface Target {
  kind: Kind;
  id: string;
  workspaceId: string;
  text: string;
  md5: string;
}

/** What a topic or an atom is about, as embedded; its md5 tells whether the stored vector is still of this text. */
const TEXT: Record<Kind, { table: string; text: string }> = {
  topic: { table: 'knowledge_topics_view', text: `name || E'\\n' || description` },
  atom: { table: 'knowledge_atoms_view', text: `title || E'\\n' || content` },
};

/**
 * Embeds topics (name + description) and atoms (title + content) into their view rows, with the
 * Embedder (workflow `knowledge.atoms`): a durable consumer of their created/updated events, with
 * its own checkpoint. A batch embeds BEFORE its transaction (a model call must not hold locks;
 * the embedded database runs one transaction at a time), then writes the vectors and moves the
 * checkpoint in one transaction. It always embeds a row's current text, and writes only if the
 * text is still the one embedded (md5), so an edit racing a batch is never overwritten with a
 * stale vector: that edit's own event embeds it again.
 *
 * Read models can be rebuilt (their rows come back without vectors) and the model can change:
 * when idle, the consumer also heals every row whose embedding is missing, of another model or
 * dimension, or of another text. A failing batch is retried event by event and the culprit
 * parked; the sweep tries its row again later.
 */
export class GraphEmbeddingsConsumer implements DurableConsumer {
  readonly name = GRAPH_EMBEDDINGS_CONSUMER;
  private readonly logger = new Logger('GraphEmbeddings');
  private lastHeal = 0;
  private lastFullHeal = 0;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly pool: Pool,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly embedder: Embedder,
    private readonly options: ConsumerOptions,
    /** Called after topics got a new embedding (their messages are classified again). */
    private readonly onTopicsEmbedded: () => void,
  ) {}

  async processNext(): Promise<BatchOutcome> {
    const state = await this.checkpoints.get(this.name);
    if (!state) throw new Error(`No checkpoint row for ${this.name}`);
    const page = await this.store.readAll({ after: state.checkpoint, limit: this.options.batchSize, eventTypes: EMBEDDED_EVENT_TYPES });
    if (page.events.length === 0) {
      if (!sameCheckpoint(page.checkpoint, state.checkpoint)) await this.commit(state.checkpoint, page.checkpoint, []);
      if (Date.now() - this.lastHeal >= HEAL_INTERVAL_MS) {
        const full = Date.now() - this.lastFullHeal >= FULL_HEAL_INTERVAL_MS;
        await this.heal(full).catch((err) => this.logger.warn({ err }, 'healing embeddings failed; trying again later'));
      }
      return { processed: 0, parked: 0, caughtUp: true };
    }
    const caughtUp = page.events.length < this.options.batchSize;
    try {
      const parked = await this.commit(state.checkpoint, page.checkpoint, page.events);
      return { processed: page.events.length, parked, caughtUp };
    } catch (err) {
      if (err instanceof CheckpointMovedError) throw err;
      const parked = await this.isolate(state.checkpoint, page.events, page.checkpoint);
      return { processed: page.events.length, parked, caughtUp };
    }
  }

  /** Embeds the rows `events` are about, inside `tx` (the admin's replay of a parked event). */
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const targets = await this.targets(this.idsOf(events), tx);
    await this.write(tx, targets, await this.embed(targets));
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
      const targets = await this.targets(null, this.pool, HEAL_BATCH, full);
      if (targets.length === 0) break;
      const vectors = await this.embed(targets);
      await inTransaction(this.pool, (tx) => this.write(tx, targets, vectors));
      done += targets.length;
      this.afterWrite(targets);
    }
    return done;
  }

  private async commit(from: Checkpoint, to: Checkpoint, events: RecordedEvent[]): Promise<number> {
    const targets = events.length ? await this.targets(this.idsOf(events), this.pool) : [];
    const vectors = await this.embed(targets);
    await inTransaction(this.pool, async (tx) => {
      await this.checkpoints.lockAt(tx, this.name, from);
      await this.write(tx, targets, vectors);
      await this.checkpoints.advance(tx, this.name, to, events.length, this.options.holder);
    });
    this.afterWrite(targets);
    return 0;
  }

  private idsOf(events: RecordedEvent[]): Record<Kind, string[]> {
    const ids: Record<Kind, Set<string>> = { topic: new Set(), atom: new Set() };
    for (const e of events) {
      const d = e.data as { topicId?: string; atomId?: string };
      if (e.type.startsWith('knowledge.topic-') && d.topicId) ids.topic.add(d.topicId);
      if (e.type.startsWith('knowledge.atom-') && d.atomId) ids.atom.add(d.atomId);
    }
    return { topic: [...ids.topic], atom: [...ids.atom] };
  }

  /** Rows (of `ids`, or any when null) whose stored vector is not of their current text (`checkText`) in the current space. */
  private async targets(ids: Record<Kind, string[]> | null, db: Pool | PoolClient, limit = 10_000, checkText = true): Promise<Target[]> {
    const out: Target[] = [];
    for (const kind of ['topic', 'atom'] as const) {
      if (ids && ids[kind].length === 0) continue;
      const { table, text } = TEXT[kind];
      const r = await db.query<{ id: string; workspace_id: string; text: string; md5: string }>(
        `SELECT id, workspace_id, ${text} AS text, md5(${text}) AS md5 FROM ${table}
          WHERE ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) AND archived_at IS NULL
            AND (embedding IS NULL OR embedding_model IS DISTINCT FROM $2 OR vector_dims(embedding) <> $3 OR ($5::boolean AND embedding_text_md5 IS DISTINCT FROM md5(${text})))
          ORDER BY updated_at LIMIT $4`,
        [ids ? ids[kind] : null, this.embedder.model, this.embedder.dimension, limit, checkText],
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
      const key = `${t.workspaceId}:${t.kind}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += EMBED_BATCH) {
        const slice = group.slice(i, i + EMBED_BATCH);
        const vectors = await this.embedder.embed(
          slice.map((t) => t.text.slice(0, MAX_EMBEDDED_CHARS)),
          { workspaceId: slice[0].workspaceId, workflow: 'knowledge.atoms', node: slice[0].kind === 'topic' ? 'embed-topics' : 'embed-atoms' },
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
      const { table, text } = TEXT[t.kind];
      // Only if the row still says what was embedded; otherwise its newer event embeds it.
      await tx.query(
        `UPDATE ${table} SET embedding = $2::vector, embedding_model = $3, embedding_text_md5 = $4, embedding_updated_at = now()
          WHERE id = $1 AND md5(${text}) = $4`,
        [t.id, vectorLiteral(vector), this.embedder.model, t.md5],
      );
    }
  }

  private afterWrite(targets: Target[]): void {
    if (targets.some((t) => t.kind === 'topic')) this.onTopicsEmbedded();
  }

  private isolate(start: Checkpoint, events: RecordedEvent[], pageEnd: Checkpoint): Promise<number> {
    return isolateFailingEvents(
      {
        name: this.name,
        pool: this.pool,
        checkpoints: this.checkpoints,
        parked: this.parked,
        holder: this.options.holder,
        maxAttempts: this.options.maxAttempts,
        backoffMs: this.options.backoffMs,
        commit: (from, to, batch) => this.commit(from, to, batch),
        onParked: (e, err) => this.logger.warn({ eventId: e.eventId, type: e.type, err }, 'graph embedding parked'),
      },
      start,
      events,
      pageEnd,
    );
  }
}
