import { Pool, PoolClient } from 'pg';
import { RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { applyRowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { ConsumerRegistry } from './durable-consumer';
import { EventSourcingError, EventSourcingErrorCode as Code } from './parked-event.errors';
import { ParkedEvents } from './parked-events';
import { inTransaction } from './transaction';

/** Admin actions on parked events: retry replays the parked stream in order; skip gives one up. */
export class ParkedEventAdmin {
  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly parked: ParkedEvents,
    private readonly projections: ProjectionRegistry,
    private readonly consumers: ConsumerRegistry,
  ) {}

  async retry(id: number): Promise<{ replayed: number }> {
    const target = await this.openOrThrow(id);
    const projection = this.projections.get(target.subscription);
    const consumer = this.consumers.get(target.subscription);
    const replay = projection
      ? (events: RecordedEvent[], tx: PoolClient) => applyRowProjection(projection, events, tx)
      : consumer?.replay?.bind(consumer);
    if (!replay) throw new EventSourcingError(Code.ProjectionNotFound, `No projection or replayable consumer ${target.subscription}`);
    try {
      return await inTransaction(this.pool, async (tx) => {
        // Serialises with the consumer, whose batches lock the same checkpoint row.
        await tx.query(`SELECT 1 FROM subscription_checkpoints WHERE name = $1 FOR UPDATE`, [target.subscription]);
        const open = await this.parked.openForStream(tx, target.subscription, target.streamId);
        const events = await this.store.readEventsByIds(open.map((p) => p.eventId), tx);
        await replay(events, tx);
        await this.parked.resolve(tx, open.map((p) => p.id), 'retried');
        return { replayed: events.length };
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.parked.recordFailure(this.pool, id, message);
      throw new EventSourcingError(Code.ParkedRetryFailed, `Replaying stream ${target.streamId} failed again: ${message}`, {
        parkedEventId: id,
      });
    }
  }

  async skip(id: number): Promise<void> {
    await this.openOrThrow(id);
    await this.parked.resolve(this.pool, [id], 'skipped');
  }

  private async openOrThrow(id: number) {
    const p = await this.parked.get(id);
    if (!p) throw new EventSourcingError(Code.ParkedEventNotFound, `No parked event ${id}`);
    if (p.status !== 'parked') throw new EventSourcingError(Code.ParkedEventNotOpen, `Parked event ${id} is already ${p.status}`);
    return p;
  }
}
