import { Pool, PoolClient } from 'pg';
import { Checkpoint, Queryable, ReadAllResult, RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { BatchOutcome, DurableConsumer } from './durable-consumer';
import { isolateFailingEvents, sameCheckpoint } from './isolate-failing-events';
import { ParkedEvents } from './parked-events';
import { CheckpointMovedError, SubscriptionCheckpoints } from './subscription-checkpoints';
import { inTransaction } from './transaction';

/** What every durable consumer reads and writes through. */
export interface ConsumerDeps {
  store: PostgresEventStore;
  pool: Pool;
  checkpoints: SubscriptionCheckpoints;
  parked: ParkedEvents;
}

export interface ConsumerOptions {
  batchSize: number;
  /** Attempts of one failing event before it is parked. */
  maxAttempts: number;
  backoffMs: number;
  holder: string;
}

/**
 * The durable consumer every projection, saga and integration handler is built on. Per batch:
 * read past the checkpoint (gap-safe, `store.readAll`), `prepare` the events OUTSIDE any
 * transaction (tokenise, embed, call a model: nothing slow may hold locks, and the embedded
 * database runs one transaction at a time), then in ONE transaction lock the checkpoint
 * (fencing a stale holder), hold back the events of streams with a parked event (`per-stream`
 * ordering), `apply` the rest and move the checkpoint. `afterCommit` runs once that committed.
 * A failing batch is retried event by event; the culprit is retried with backoff, then parked
 * (`onParked`), and the consumer goes on. `onIdle` runs when nothing of ours is left to read.
 * The parked-events admin re-applies parked events through `replay`, inside its transaction.
 *
 * @example
 * class WordCounts extends BatchedConsumer<Map<string, number>, number> {
 *   readonly name = 'demo.word-counts';
 *   readonly eventTypes = ['demo.note-written'];
 *   readonly ordering = 'per-stream';
 *   async prepare(events: RecordedEvent[]) {
 *     return new Map(events.map((e) => [e.eventId, String((e.data as { text: string }).text).split(/\s+/).length]));
 *   }
 *   async apply(tx: PoolClient, events: RecordedEvent[], words: Map<string, number>) {
 *     for (const e of events) await tx.query(`INSERT INTO demo_words (event_id, words) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [e.eventId, words.get(e.eventId)]);
 *     return events.length;
 *   }
 *   afterCommit(counted: number) {
 *     if (counted) wakeTheReport();
 *   }
 * }
 * // in a registrar's onModuleInit: batched.register('integration', (holder) => new WordCounts(batched.deps, { batchSize: 500, maxAttempts: 3, backoffMs: 100, holder }));
 */
export abstract class BatchedConsumer<Prepared = undefined, Applied = void> implements DurableConsumer {
  abstract readonly name: string;
  /** The types read from the log; undefined: all of them. */
  abstract readonly eventTypes: string[] | undefined;
  /** per-stream: a parked event parks the later events of its stream behind it; none: every event stands alone. */
  abstract readonly ordering: 'per-stream' | 'none';

  /** Work on a batch before its transaction; `db` is the pool, or the admin's transaction during a replay. */
  prepare?(events: RecordedEvent[], db: Queryable): Promise<Prepared>;
  /** Applies `events` inside `tx`, the transaction that moves the checkpoint (or the admin's replay). */
  abstract apply(tx: PoolClient, events: RecordedEvent[], prepared: Prepared): Promise<Applied>;
  /** After the batch's transaction committed (never after a replay: the admin's transaction is still open). */
  afterCommit?(applied: Applied, events: RecordedEvent[]): void;
  /** When a round found nothing to read (housekeeping, e.g. healing rows a rebuild left behind). */
  onIdle?(): Promise<void>;
  /** An event was parked after its last attempt. */
  onParked?(event: RecordedEvent, error: string): void;

  /** The page after a full one, read while that one applies (catch-up only). */
  private ahead?: { after: Checkpoint; page: Promise<ReadAllResult | undefined> };

  protected constructor(
    protected readonly deps: ConsumerDeps,
    protected readonly options: ConsumerOptions,
  ) {}

  async processNext(): Promise<BatchOutcome> {
    const state = await this.deps.checkpoints.get(this.name);
    if (!state) throw new Error(`No checkpoint row for ${this.name}`);
    const page = await this.read(state.checkpoint);
    if (page.events.length === 0) {
      // Nothing of ours below the horizon: move the checkpoint up to it so lag reads true.
      if (!sameCheckpoint(page.checkpoint, state.checkpoint)) await this.commit(state.checkpoint, page.checkpoint, []);
      await this.onIdle?.();
      return { processed: 0, parked: 0, caughtUp: true };
    }
    const caughtUp = page.events.length < this.options.batchSize;
    if (!caughtUp) this.readAhead(page.checkpoint);
    try {
      const parked = await this.commit(state.checkpoint, page.checkpoint, page.events);
      return { processed: page.events.length, parked, caughtUp };
    } catch (err) {
      if (err instanceof CheckpointMovedError) throw err;
      const parked = await this.isolate(state.checkpoint, page.events, page.checkpoint);
      return { processed: page.events.length, parked, caughtUp };
    }
  }

  /**
   * The page after `after`: the one read ahead when it starts there and is full, else a fresh
   * read. A partial page read ahead is dropped: our own open transaction held its horizon back,
   * so it may miss events a fresh read sees (and report caught up too early).
   */
  private async read(after: Checkpoint): Promise<ReadAllResult> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead && sameCheckpoint(ahead.after, after)) {
      const page = await ahead.page;
      if (page && page.events.length === this.options.batchSize) return page;
    }
    return this.deps.store.readAll({ after, limit: this.options.batchSize, eventTypes: this.eventTypes });
  }

  /** Reads the next page on another connection while this one applies: the read and the apply overlap. */
  private readAhead(after: Checkpoint): void {
    // A failed read ahead is only a lost head start: the next round reads again.
    const page = this.deps.store.readAll({ after, limit: this.options.batchSize, eventTypes: this.eventTypes }).catch(() => undefined);
    this.ahead = { after, page };
  }

  /** Re-applies parked events, in order, inside the admin's transaction `tx`. */
  async replay(events: RecordedEvent[], tx: PoolClient): Promise<Applied> {
    return this.apply(tx, events, await this.prepared(events, tx));
  }

  /** Applies `events` (minus those of blocked streams, which are parked) and moves the checkpoint, atomically. Answers how many it parked. */
  private async commit(from: Checkpoint, to: Checkpoint, events: RecordedEvent[]): Promise<number> {
    const { checkpoints, parked, pool } = this.deps;
    if (events.length === 0) {
      await inTransaction(pool, async (tx) => {
        await checkpoints.lockAt(tx, this.name, from);
        await checkpoints.advance(tx, this.name, to, 0, this.options.holder);
      });
      return 0;
    }
    const prepared = await this.prepared(events, pool);
    const out = await inTransaction(pool, async (tx) => {
      await checkpoints.lockAt(tx, this.name, from);
      const { toApply, parked: parkedCount } =
        this.ordering === 'per-stream' ? await parked.holdBackBlocked(tx, this.name, events) : { toApply: events, parked: 0 };
      const applied = await this.apply(tx, toApply, prepared);
      await checkpoints.advance(tx, this.name, to, events.length, this.options.holder);
      return { applied, parkedCount };
    });
    this.afterCommit?.(out.applied, events);
    return out.parkedCount;
  }

  private async prepared(events: RecordedEvent[], db: Queryable): Promise<Prepared> {
    // Without a prepare step `Prepared` is `undefined` (the default), which is what apply gets.
    return this.prepare ? this.prepare(events, db) : (undefined as Prepared);
  }

  private isolate(start: Checkpoint, events: RecordedEvent[], pageEnd: Checkpoint): Promise<number> {
    return isolateFailingEvents(
      {
        name: this.name,
        pool: this.deps.pool,
        checkpoints: this.deps.checkpoints,
        parked: this.deps.parked,
        holder: this.options.holder,
        maxAttempts: this.options.maxAttempts,
        backoffMs: this.options.backoffMs,
        commit: (from, to, batch) => this.commit(from, to, batch),
        onParked: this.onParked?.bind(this),
      },
      start,
      events,
      pageEnd,
    );
  }
}
