import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { DurableConsumer } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { isolateFailingEvents, sameCheckpoint } from '@libs/eventsourcing/subscriptions/isolate-failing-events';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { BatchOutcome, ConsumerOptions } from '@libs/eventsourcing/subscriptions/projection-consumer';
import { CheckpointMovedError, SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { IngestionEvents, MessageDeletedV1 } from '@modules/ingestion/contracts';
import { KnowledgeGraphAggregates } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';

export const MESSAGE_TOPICS_CLEANUP_CONSUMER = 'knowledge.message-topics-cleanup';
const ACTOR = `system:${MESSAGE_TOPICS_CLEANUP_CONSUMER}`;
/** Command ids derived from the deletion event: a redelivered deletion is the same command. */
const COMMAND_NAMESPACE = '9a4e2f61-3c7b-4d18-b0e5-6f2a8c1d9e47';

/**
 * A deleted message leaves its topics: on `ingestion.message-deleted` (a durable consumer with
 * its own checkpoint), one `message-deleted` command on the message's topics stream unassigns
 * every topic it had. The appends run before the checkpoint moves, and the decider makes a
 * redelivered deletion a no-op (nothing is assigned any more).
 */
export class MessageTopicsCleanupConsumer implements DurableConsumer {
  readonly name = MESSAGE_TOPICS_CLEANUP_CONSUMER;
  private readonly logger = new Logger('MessageTopicsCleanup');

  constructor(
    private readonly store: PostgresEventStore,
    private readonly pool: Pool,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly aggregates: KnowledgeGraphAggregates,
    private readonly options: ConsumerOptions,
  ) {}

  async processNext(): Promise<BatchOutcome> {
    const state = await this.checkpoints.get(this.name);
    if (!state) throw new Error(`No checkpoint row for ${this.name}`);
    const page = await this.store.readAll({ after: state.checkpoint, limit: this.options.batchSize, eventTypes: [IngestionEvents.MessageDeleted] });
    if (page.events.length === 0) {
      if (!sameCheckpoint(page.checkpoint, state.checkpoint)) await this.commit(state.checkpoint, page.checkpoint, []);
      return { processed: 0, parked: 0, caughtUp: true };
    }
    const caughtUp = page.events.length < this.options.batchSize;
    try {
      return { processed: page.events.length, parked: await this.commit(state.checkpoint, page.checkpoint, page.events), caughtUp };
    } catch (err) {
      if (err instanceof CheckpointMovedError) throw err;
      const parked = await isolateFailingEvents(
        {
          name: this.name,
          pool: this.pool,
          checkpoints: this.checkpoints,
          parked: this.parked,
          holder: this.options.holder,
          maxAttempts: this.options.maxAttempts,
          backoffMs: this.options.backoffMs,
          commit: (from, to, batch) => this.commit(from, to, batch),
          onParked: (e, error) => this.logger.warn({ eventId: e.eventId, error }, 'message topics cleanup parked'),
        },
        state.checkpoint,
        page.events,
        page.checkpoint,
      );
      return { processed: page.events.length, parked, caughtUp };
    }
  }

  /** Unassigns the topics of the deleted messages of `events` (also the admin's replay of a parked one). */
  async apply(events: RecordedEvent[]): Promise<void> {
    const ids = events.map((e) => (e.data as MessageDeletedV1).messageId);
    const withTopics = new Set(
      ids.length ? (await this.pool.query<{ message_id: string }>(`SELECT DISTINCT message_id FROM knowledge_message_topics_view WHERE message_id = ANY($1::uuid[])`, [ids])).rows.map((r) => r.message_id) : [],
    );
    for (const e of events) {
      const { messageId } = e.data as MessageDeletedV1;
      if (!withTopics.has(messageId)) continue;
      await this.aggregates.messageTopics(messageId, { kind: 'message-deleted', messageId, now: new Date() }, {
        commandId: uuidv5(e.eventId, COMMAND_NAMESPACE),
        workspaceId: e.workspaceId,
        actorId: ACTOR,
        correlationId: e.correlationId ?? e.eventId,
        now: new Date(),
      });
    }
  }

  private async commit(from: Checkpoint, to: Checkpoint, events: RecordedEvent[]): Promise<number> {
    await this.apply(events);
    await inTransaction(this.pool, async (tx) => {
      await this.checkpoints.lockAt(tx, this.name, from);
      await this.checkpoints.advance(tx, this.name, to, events.length, this.options.holder);
    });
    return 0;
  }
}
