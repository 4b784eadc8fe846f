import { Pool } from 'pg';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { applyRowProjection, RowProjection } from '../projections/row-projection';
import { ParkedEvents } from './parked-events';
import { CheckpointMovedError, SubscriptionCheckpoints } from './subscription-checkpoints';
import { isolateFailingEvents, sameCheckpoint as same } from './isolate-failing-events';
import { inTransaction } from './transaction';

export interface ConsumerOptions {
  batchSize: number;
  /** Attempts of one failing event before it is parked. */
  maxAttempts: number;
  backoffMs: number;
  holder: string;
}

export interface BatchOutcome {
  processed: number;
  parked: number;
  caughtUp: boolean;
}


/**
 * Moves one projection along the log: read a batch past the checkpoint (gap-safe), then apply it
 * AND move the checkpoint in one transaction. When a batch fails, its events are retried one by
 * one to find the culprit, which is retried with backoff and then parked; for per-stream
 * projections the later events of a parked stream are parked behind it, other streams go on.
 */
export class ProjectionConsumer {
  constructor(
    readonly projection: RowProjection<any>,
    private readonly store: PostgresEventStore,
    private readonly pool: Pool,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly options: ConsumerOptions,
  ) {}

  get name(): string {
    return this.projection.name;
  }

  async processNext(): Promise<BatchOutcome> {
    const state = await this.checkpoints.get(this.name);
    if (!state) throw new Error(`No checkpoint row for ${this.name}`);
    const page = await this.store.readAll({
      after: state.checkpoint,
      limit: this.options.batchSize,
      eventTypes: this.projection.eventTypes,
    });
    if (page.events.length === 0) {
      // Nothing of ours below the horizon: move the checkpoint up to it so lag reads true.
      if (!same(page.checkpoint, state.checkpoint)) await this.commit(state.checkpoint, page.checkpoint, [], 0);
      return { processed: 0, parked: 0, caughtUp: true };
    }
    try {
      const parked = await this.commit(state.checkpoint, page.checkpoint, page.events, page.events.length);
      return { processed: page.events.length, parked, caughtUp: page.events.length < this.options.batchSize };
    } catch (err) {
      if (err instanceof CheckpointMovedError) throw err;
      const parked = await this.isolate(state.checkpoint, page.events, page.checkpoint);
      return { processed: page.events.length, parked, caughtUp: page.events.length < this.options.batchSize };
    }
  }

  /** Applies `events` (minus those of blocked streams, which are parked) and moves the checkpoint, atomically. */
  private async commit(from: Checkpoint, to: Checkpoint, events: RecordedEvent[], counted: number): Promise<number> {
    return inTransaction(this.pool, async (tx) => {
      await this.checkpoints.lockAt(tx, this.name, from);
      const { toApply, parked: parkedCount } =
        this.projection.ordering === 'per-stream' ? await this.parked.holdBackBlocked(tx, this.name, events) : { toApply: events, parked: 0 };
      await applyRowProjection(this.projection, toApply, tx);
      await this.checkpoints.advance(tx, this.name, to, counted, this.options.holder);
      return parkedCount;
    });
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
        commit: (from, to, batch) => this.commit(from, to, batch, batch.length),
      },
      start,
      events,
      pageEnd,
    );
  }
}
