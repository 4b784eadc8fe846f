import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ConversationEvent, SourceContactEvent } from '../domain/conversation.events';

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

export interface SourceContactRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  source_id: string;
  subject_id: string;
  external_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  identifier: string | null;
  custom_attributes: Record<string, unknown>;
  raw: unknown;
  created_at: string;
  updated_at: string | null;
}

/** ingestion_source_contacts_view (seed 002 cw_contacts); forgets the person on erasure. */
export class SourceContactsProjection extends RowProjection<SourceContactRow> {
  readonly name = 'ingestion.source-contacts';
  readonly table = 'ingestion_source_contacts_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string | null {
    const d = e.data as { contactId?: string; subjectId?: string };
    if (e.type !== 'privacy.subject-erased') return d.contactId!;
    // Only erasures of source contacts (`source-contact:<contactId>`) are ours.
    const m = /^source-contact:([0-9a-f-]{36})$/.exec(String(d.subjectId));
    return m ? m[1] : null;
  }

  readonly handlers: Record<string, RowHandler<SourceContactRow>> = {
    'ingestion.source-contact-seen': (r, e) => {
      const d = (e as unknown as SourceContactEvent).data;
      return {
        id: d.contactId,
        workspace_id: e.workspaceId!,
        source_id: d.sourceId,
        subject_id: d.subjectId,
        external_id: d.externalId,
        name: d.name,
        email: d.email,
        phone: d.phone,
        identifier: d.identifier,
        custom_attributes: d.customAttributes,
        raw: d.raw,
        created_at: r?.created_at ?? d.seenAt,
        updated_at: d.seenAt,
      };
    },
    'privacy.subject-erased': (r, e) =>
      r ? { ...r, name: '[erased]', email: null, phone: null, identifier: null, raw: null, updated_at: e.recordedAt.toISOString() } : null,
  };
}
