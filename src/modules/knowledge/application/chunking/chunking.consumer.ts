import { Logger } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { DurableConsumer } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { isolateFailingEvents, sameCheckpoint as same } from '@libs/eventsourcing/subscriptions/isolate-failing-events';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { BatchOutcome, ConsumerOptions } from '@libs/eventsourcing/subscriptions/projection-consumer';
import { CheckpointMovedError, SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { IngestionEvents, MessageEditedV1, MessageIngestedV1 } from '@modules/ingestion/contracts';
import { KnowledgeMessage, chunksOf, knowledgeMessageOf } from '@modules/knowledge/domain/chunking/knowledge-message';
import { ChunkingOptions } from '@modules/knowledge/domain/chunking/message-chunker';
import { KnowledgeChunksWriter } from '@modules/knowledge/infrastructure/knowledge-chunks.writer';

export const CHUNKING_CONSUMER = 'knowledge.chunking';
export const CHUNKED_EVENT_TYPES: string[] = [IngestionEvents.MessageIngested, IngestionEvents.MessageEdited, IngestionEvents.MessageDeleted];

/** A message's state after a run of its events: kept (with its content) or gone. */
type Outcome = { kind: 'keep'; message: KnowledgeMessage } | { kind: 'delete' };

/**
 * Chunks every message along the log (a durable consumer: own checkpoint and lease, run by the
 * SubscriptionRunner). Everything is chunked, noise included: search must find everything.
 * Per batch, in ONE transaction with the checkpoint: the events of each message are folded in
 * order (ingested -> content and citation fields, edited -> new content, deleted -> gone), then
 * the evidence items and chunks are upserted or deleted set-based. The writes are idempotent
 * state (deterministic chunk ids, upserts), so a redelivery or a reset-and-replay (the rebuild)
 * gives the same rows; embeddings survive both through the unchanged-hash rule and the cache.
 * A failing batch is retried event by event; the culprit is parked (with the later events of its
 * message behind it) and the consumer moves on.
 */
export class ChunkingConsumer implements DurableConsumer {
  readonly name = CHUNKING_CONSUMER;
  private readonly logger = new Logger('KnowledgeChunking');

  constructor(
    private readonly store: PostgresEventStore,
    private readonly pool: Pool,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly writer: KnowledgeChunksWriter,
    private readonly chunking: ChunkingOptions,
    private readonly options: ConsumerOptions,
    /** Called after a commit that left chunks to embed (the embedding worker's wake-up). */
    private readonly onPending: () => void = () => undefined,
  ) {}

  async processNext(): Promise<BatchOutcome> {
    const state = await this.checkpoints.get(this.name);
    if (!state) throw new Error(`No checkpoint row for ${this.name}`);
    const page = await this.store.readAll({ after: state.checkpoint, limit: this.options.batchSize, eventTypes: CHUNKED_EVENT_TYPES });
    if (page.events.length === 0) {
      if (!same(page.checkpoint, state.checkpoint)) await this.commit(state.checkpoint, page.checkpoint, []);
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

  /** Applies `events` inside `tx` (also the admin's replay of a parked message). Answers how many chunks wait for an embedding. */
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<number> {
    const relevant = events.filter((e) => CHUNKED_EVENT_TYPES.includes(e.type) && typeof (e.data as { messageId?: unknown })?.messageId === 'string');
    if (relevant.length === 0) return 0;
    const ids = [...new Set(relevant.map((e) => (e.data as { messageId: string }).messageId))];
    const known = await this.writer.lockMessages(tx, ids);

    const outcomes = new Map<string, Outcome>();
    for (const e of relevant) {
      const id = (e.data as { messageId: string }).messageId;
      const before = outcomes.get(id);
      const current = before ? (before.kind === 'keep' ? before.message : null) : (known.get(id) ?? null);
      if (e.type === IngestionEvents.MessageIngested) {
        if (!e.workspaceId) continue;
        outcomes.set(id, { kind: 'keep', message: knowledgeMessageOf(e.data as MessageIngestedV1, e.workspaceId) });
      } else if (e.type === IngestionEvents.MessageEdited) {
        // An edit of a message we never had (or that was deleted) has nothing to change.
        if (current) outcomes.set(id, { kind: 'keep', message: { ...current, content: String((e.data as MessageEditedV1).content ?? '') } });
      } else {
        outcomes.set(id, { kind: 'delete' });
      }
    }

    const keep = [...outcomes.values()].flatMap((o) => (o.kind === 'keep' ? [{ message: o.message, chunks: chunksOf(o.message, this.chunking) }] : []));
    const gone = [...outcomes.entries()].flatMap(([id, o]) => (o.kind === 'delete' ? [id] : []));
    await this.writer.remove(tx, gone);
    return this.writer.upsert(tx, keep);
  }

  private async commit(from: Checkpoint, to: Checkpoint, events: RecordedEvent[]): Promise<number> {
    const { parked, pending } = await inTransaction(this.pool, async (tx) => {
      await this.checkpoints.lockAt(tx, this.name, from);
      // Events of a message with a parked event wait behind it: an edit is never applied before its original.
      const { toApply, parked } = await this.parked.holdBackBlocked(tx, this.name, events);
      const pending = await this.apply(tx, toApply);
      await this.checkpoints.advance(tx, this.name, to, events.length, this.options.holder);
      return { parked, pending };
    });
    if (pending) this.onPending();
    return parked;
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
        onParked: (e, err) => this.logger.warn({ eventId: e.eventId, type: e.type, err }, 'message chunking parked'),
      },
      start,
      events,
      pageEnd,
    );
  }
}
