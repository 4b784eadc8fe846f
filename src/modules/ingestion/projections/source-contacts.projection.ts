import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { SourceContactEvent } from '@modules/ingestion/domain/conversation.events';

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
