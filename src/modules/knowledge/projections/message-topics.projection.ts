import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { MessageTopicEvent } from '@modules/knowledge/domain/topic/message-topics.decider';

type D<T extends MessageTopicEvent['type']> = Extract<MessageTopicEvent, { type: T }>['data'];

export interface MessageTopicRow extends Record<string, unknown> {
  /** `<messageId>:<topicId>`. */
  id: string;
  workspace_id: string;
  message_id: string;
  topic_id: string;
  score: number;
  method: string;
  assigned_by: string | null;
  assigned_at: string;
}

/** knowledge_message_topics_view (seed 003 messages.topic_id): the topics each message is classified into. */
export class MessageTopicsProjection extends RowProjection<MessageTopicRow> {
  readonly name = 'knowledge.message-topics';
  readonly table = 'knowledge_message_topics_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    const d = e.data as { messageId: string; topicId: string };
    return `${d.messageId}:${d.topicId}`;
  }

  readonly handlers: Record<string, RowHandler<MessageTopicRow>> = {
    'knowledge.message-topic-assigned': (_r, e) => {
      const d = e.data as D<'knowledge.message-topic-assigned'>;
      return {
        id: `${d.messageId}:${d.topicId}`,
        workspace_id: e.workspaceId!,
        message_id: d.messageId,
        topic_id: d.topicId,
        score: d.score,
        method: d.method,
        assigned_by: e.actorId,
        assigned_at: d.at,
      };
    },
    'knowledge.message-topic-unassigned': () => null,
  };
}
