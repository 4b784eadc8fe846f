import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ConversationEvent } from '@modules/ingestion/domain/conversation.events';

export interface ConversationRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  source_id: string;
  external_id: string;
  status: string | null;
  inbox_id: string | null;
  assignee_id: string | null;
  contact_external_id: string | null;
  raw: unknown;
  created_at: string;
  updated_at: string | null;
}

/** ingestion_conversations_view (seed 002 cw_conversations, raw payload kept). */
export class ConversationsProjection extends RowProjection<ConversationRow> {
  readonly name = 'ingestion.conversations';
  readonly table = 'ingestion_conversations_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { conversationId: string }).conversationId;
  }

  readonly handlers: Record<string, RowHandler<ConversationRow>> = {
    'ingestion.conversation-updated': (r, e) => {
      const d = (e as unknown as ConversationEvent).data;
      return {
        id: d.conversationId,
        workspace_id: e.workspaceId!,
        source_id: d.sourceId,
        external_id: d.externalId,
        status: d.status,
        inbox_id: d.inboxId,
        assignee_id: d.assigneeId,
        contact_external_id: d.contactExternalId,
        raw: d.raw,
        created_at: r?.created_at ?? d.updatedAt,
        updated_at: d.updatedAt,
      };
    },
  };
}
