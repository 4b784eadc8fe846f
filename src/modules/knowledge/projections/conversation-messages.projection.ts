import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ConversationEvent } from '@modules/knowledge/domain/conversation/conversation.events';

type D<T extends ConversationEvent['type']> = Extract<ConversationEvent, { type: T }>['data'];

export interface ConversationMessageRow extends Record<string, unknown> {
  id: string;
  conversation_id: string;
  workspace_id: string;
  position: number;
  role: 'user' | 'assistant' | 'system';
  content: string;
  function_calls: unknown[] | null;
  metadata: Record<string, unknown>;
  tokens_used: number | null;
  model: string | null;
  citations: unknown[] | null;
  created_at: string;
}

/** knowledge_ai_messages_view (seed 004 ai_messages, with the workspace, the citations and the place in the conversation). */
export class ConversationMessagesProjection extends RowProjection<ConversationMessageRow> {
  readonly name = 'knowledge.ai-messages';
  readonly table = 'knowledge_ai_messages_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { messageId: string }).messageId;
  }

  readonly handlers: Record<string, RowHandler<ConversationMessageRow>> = {
    'knowledge.ai-conversation-user-message-added': (_r, e) => {
      const d = e.data as D<'knowledge.ai-conversation-user-message-added'>;
      return {
        id: d.messageId,
        conversation_id: d.conversationId,
        workspace_id: e.workspaceId!,
        position: d.position,
        role: 'user',
        content: d.content,
        function_calls: null,
        metadata: {},
        tokens_used: null,
        model: null,
        citations: null,
        created_at: d.at,
      };
    },
    'knowledge.ai-conversation-assistant-message-added': (_r, e) => {
      const d = e.data as D<'knowledge.ai-conversation-assistant-message-added'>;
      return {
        id: d.messageId,
        conversation_id: d.conversationId,
        workspace_id: e.workspaceId!,
        position: d.position,
        role: 'assistant',
        content: d.content,
        function_calls: d.functionCalls,
        metadata: { ...d.metadata, replyTo: d.replyTo },
        tokens_used: d.tokensUsed,
        model: d.model,
        citations: d.citations,
        created_at: d.at,
      };
    },
    // The question stays, with a note of why it has no answer.
    'knowledge.ai-conversation-answer-failed': (r, e) => {
      const d = e.data as D<'knowledge.ai-conversation-answer-failed'>;
      return r ? { ...r, metadata: { ...r.metadata, error: { ...d.error, at: d.at } } } : null;
    },
  };
}
