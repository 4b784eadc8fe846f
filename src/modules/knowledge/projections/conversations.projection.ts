import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ConversationEvent } from '@modules/knowledge/domain/conversation/conversation.events';

type D<T extends ConversationEvent['type']> = Extract<ConversationEvent, { type: T }>['data'];

export interface ConversationRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  user_id: string;
  agent_id: string | null;
  title: string;
  context: Record<string, unknown>;
  is_active: boolean;
  message_count: number;
  created_at: string;
  updated_at: string;
}

/** knowledge_ai_conversations_view (seed 004 ai_conversations, with the workspace and a message count). */
export class ConversationsProjection extends RowProjection<ConversationRow> {
  readonly name = 'knowledge.ai-conversations';
  readonly table = 'knowledge_ai_conversations_view';
  // Inline: the answer of POST /ask and an immediate GET of the conversation agree.
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { conversationId: string }).conversationId;
  }

  readonly handlers: Record<string, RowHandler<ConversationRow>> = {
    'knowledge.ai-conversation-started': (_r, e) => {
      const d = e.data as D<'knowledge.ai-conversation-started'>;
      return {
        id: d.conversationId,
        workspace_id: d.workspaceId,
        user_id: d.userId,
        agent_id: d.agentId,
        title: d.title,
        context: d.context,
        is_active: true,
        message_count: 0,
        created_at: d.at,
        updated_at: d.at,
      };
    },
    'knowledge.ai-conversation-user-message-added': (r, e) => {
      const d = e.data as D<'knowledge.ai-conversation-user-message-added'>;
      return r ? { ...r, message_count: r.message_count + 1, updated_at: d.at } : null;
    },
    'knowledge.ai-conversation-assistant-message-added': (r, e) => {
      const d = e.data as D<'knowledge.ai-conversation-assistant-message-added'>;
      return r ? { ...r, message_count: r.message_count + 1, updated_at: d.at } : null;
    },
    'knowledge.ai-conversation-archived': (r, e) => {
      const d = e.data as D<'knowledge.ai-conversation-archived'>;
      return r ? { ...r, is_active: false, updated_at: d.at } : null;
    },
  };
}
