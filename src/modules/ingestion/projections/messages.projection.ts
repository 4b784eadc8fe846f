import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { MessageEvent, MessageIngestedData } from '@modules/ingestion/domain/message/message.events';

export interface MessageRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  source_id: string;
  source_kind: string;
  external_id: string;
  content: string;
  sent_at: string;
  channel_id: string | null;
  channel_name: string | null;
  thread_id: string | null;
  is_reply: boolean;
  conversation_id: string | null;
  author_subject_id: string | null;
  author_name: string | null;
  author_email: string | null;
  author_external_id: string | null;
  title: string | null;
  to_addresses: string[];
  cc_addresses: string[];
  email: unknown;
  metadata: Record<string, unknown>;
  raw: unknown;
  processing_state: string;
  noise_classification: string | null;
  noise_factors: Record<string, number> | null;
  importance_score: number | null;
  import_job_id: string | null;
  edited_at: string | null;
  deleted_at: string | null;
  processed_at: string | null;
  created_at: string;
  updated_at: string | null;
}

type D<T extends MessageEvent['type']> = Extract<MessageEvent, { type: T }>['data'];

export function messageRowOf(d: MessageIngestedData, workspaceId: string, at: string): MessageRow {
  return {
    id: d.messageId,
    workspace_id: workspaceId,
    source_id: d.sourceId,
    source_kind: d.sourceKind,
    external_id: d.externalId,
    content: d.content,
    sent_at: d.sentAt,
    channel_id: d.channelId,
    channel_name: d.channelName,
    thread_id: d.threadId,
    is_reply: d.isReply,
    conversation_id: d.conversationId,
    author_subject_id: d.authorSubjectId,
    author_name: d.author.name,
    author_email: d.author.email,
    author_external_id: d.author.externalId,
    title: d.title,
    to_addresses: d.to,
    cc_addresses: d.cc,
    email: d.email,
    metadata: d.metadata,
    raw: d.raw ?? null,
    processing_state: 'pending',
    noise_classification: null,
    noise_factors: null,
    importance_score: null,
    import_job_id: d.importJobId,
    edited_at: null,
    deleted_at: null,
    processed_at: null,
    created_at: at,
    updated_at: null,
  };
}

/**
 * ingestion_messages_view: the one message model, searchable (tsvector) and paged by time.
 * Inline: an import's answer and the messages list see what was just stored. Authors erased
 * (crypto-shredding) read '[erased]' from the log; the ingestion erasure hook scrubs this table.
 */
export class MessagesProjection extends RowProjection<MessageRow> {
  readonly name = 'ingestion.messages';
  readonly table = 'ingestion_messages_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { messageId: string }).messageId;
  }

  readonly handlers: Record<string, RowHandler<MessageRow>> = {
    'ingestion.message-ingested': (row, e) => row ?? messageRowOf(e.data as MessageIngestedData, e.workspaceId!, e.recordedAt.toISOString()),
    'ingestion.message-edited': (row, e) => {
      const d = e.data as D<'ingestion.message-edited'>;
      return row ? { ...row, content: d.content, edited_at: d.editedAt, updated_at: e.recordedAt.toISOString() } : null;
    },
    'ingestion.message-deleted': (row, e) => {
      const d = e.data as D<'ingestion.message-deleted'>;
      return row ? { ...row, processing_state: 'deleted', deleted_at: d.deletedAt, updated_at: e.recordedAt.toISOString() } : null;
    },
    'ingestion.message-classified': (row, e) => {
      const d = e.data as D<'ingestion.message-classified'>;
      return row
        ? {
            ...row,
            noise_classification: d.classification,
            noise_factors: d.factors,
            importance_score: d.importance,
            processing_state: row.processing_state === 'deleted' ? 'deleted' : 'processed',
            processed_at: d.classifiedAt,
            updated_at: e.recordedAt.toISOString(),
          }
        : null;
    },
  };
}
