import { Logger } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { Queryable, RecordedEvent } from '@libs/event-store/event-store.types';
import { BatchedConsumer, ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import { IngestionEvents, MessageDeletedV1 } from '@modules/ingestion/contracts';
import { KnowledgeGraphAggregates } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';

export const MESSAGE_TOPICS_CLEANUP_CONSUMER = 'knowledge.message-topics-cleanup';
const ACTOR = `system:${MESSAGE_TOPICS_CLEANUP_CONSUMER}`;
/** Command ids derived from the deletion event: a redelivered deletion is the same command. */
const COMMAND_NAMESPACE = '9a4e2f61-3c7b-4d18-b0e5-6f2a8c1d9e47';

/**
 * A deleted message leaves its topics: on `ingestion.message-deleted` (a BatchedConsumer with
 * its own checkpoint), one `message-deleted` command on the message's topics stream unassigns
 * every topic it had. The commands run (each in its own transaction) before the checkpoint
 * moves, and the decider makes a redelivered deletion a no-op (nothing is assigned any more).
 */
export class MessageTopicsCleanupConsumer extends BatchedConsumer {
  readonly name = MESSAGE_TOPICS_CLEANUP_CONSUMER;
  readonly eventTypes = [IngestionEvents.MessageDeleted];
  readonly ordering = 'none';
  private readonly logger = new Logger('MessageTopicsCleanup');

  constructor(
    deps: ConsumerDeps,
    options: ConsumerOptions,
    private readonly aggregates: KnowledgeGraphAggregates,
  ) {
    super(deps, options);
  }

  /** Unassigns the topics of the deleted messages of `events` (also the admin's replay of a parked one). */
  override async prepare(events: RecordedEvent[], db: Queryable): Promise<undefined> {
    const ids = events.map((e) => (e.data as MessageDeletedV1).messageId);
    const withTopics = new Set(
      ids.length ? (await db.query<{ message_id: string }>(`SELECT DISTINCT message_id FROM knowledge_message_topics_view WHERE message_id = ANY($1::uuid[])`, [ids])).rows.map((r) => r.message_id) : [],
    );
    for (const e of events) {
      const { messageId } = e.data as MessageDeletedV1;
      if (!withTopics.has(messageId)) continue;
      await this.aggregates.messageTopics.handle(messageId, { kind: 'message-deleted', messageId, now: new Date() }, {
        commandId: uuidv5(e.eventId, COMMAND_NAMESPACE),
        workspaceId: e.workspaceId,
        actorId: ACTOR,
        correlationId: e.correlationId ?? e.eventId,
        now: new Date(),
      });
    }
    return undefined;
  }

  /** The commands appended already (prepare): the transaction only moves the checkpoint. */
  async apply(): Promise<void> {}

  override onParked(e: RecordedEvent, error: string): void {
    this.logger.warn({ eventId: e.eventId, error }, 'message topics cleanup parked');
  }
}
