import { uuidV5 } from '@libs/common/ids/uuid-v5';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { ANY } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { applyRowProjection } from '@libs/eventsourcing/projections/row-projection';
import { storableValue } from '@libs/common/text/storable';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { ConversationEvent, SourceContactEvent } from '@modules/ingestion/domain/conversation.events';
import { ConversationsProjection } from '@modules/ingestion/projections/conversations.projection';
import { SourceContactsProjection } from '@modules/ingestion/projections/source-contacts.projection';
import { SourceRef, WriteContext } from './message-writer';

/** A support conversation as a provider shows it (Chatwoot), before it becomes an event. */
export interface ConversationInput {
  externalId: string;
  status: string | null;
  inboxId: string | null;
  assigneeId: string | null;
  contactExternalId: string | null;
  raw: unknown;
  updatedAt: string;
}

/** A person of a source (a Chatwoot contact), before it becomes an event. */
export interface ContactInput {
  externalId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  identifier: string | null;
  customAttributes: Record<string, unknown>;
  raw: unknown;
  seenAt: string;
}

// Own namespaces: conversation 10 and contact 10 of a source are different things (and not message 10).
const CONVERSATION_NAMESPACE = '8e1b7c52-4f0a-4d8e-9a57-3c1f6d2b9e40';
const CONTACT_NAMESPACE = 'c4a9e2f1-6b3d-4f5a-8e7c-1d2b3a4f5e60';

export const conversationIdOf = (sourceId: string, externalId: string) => uuidV5(`${sourceId}\u0000${externalId}`, CONVERSATION_NAMESPACE);
export const sourceContactIdOf = (sourceId: string, externalId: string) => uuidV5(`${sourceId}\u0000${externalId}`, CONTACT_NAMESPACE);

/**
 * Appends `ingestion.conversation-updated` (stream `conversation-<id>`) and
 * `ingestion.source-contact-seen` (stream `source-contact-<id>`, data subject
 * `source-contact:<id>`: its personal fields are sealed in the log) and updates both inline read
 * models in the same transaction, like MessageWriter. Ids are uuid v5 of source + external id, so
 * the same provider conversation or contact is always the same stream.
 */
@Injectable()
export class ConversationWriter {
  private readonly conversations = new ConversationsProjection();
  private readonly contacts = new SourceContactsProjection();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
  ) {}

  /** Returns how many events were appended (one per conversation and per contact). */
  async write(source: SourceRef, input: { conversations: ConversationInput[]; contacts: ContactInput[] }, ctx: WriteContext): Promise<number> {
    // Provider records pass here as messages pass the MessageWriter: what PostgreSQL cannot store is cleaned out once.
    input = storableValue(input);
    const conversationEvents: ConversationEvent[] = input.conversations.map((c) => ({
      type: 'ingestion.conversation-updated',
      data: {
        conversationId: conversationIdOf(source.id, c.externalId),
        sourceId: source.id,
        externalId: c.externalId,
        status: c.status,
        inboxId: c.inboxId,
        assigneeId: c.assigneeId,
        contactExternalId: c.contactExternalId,
        raw: c.raw,
        updatedAt: c.updatedAt,
      },
    }));
    const contactEvents: SourceContactEvent[] = input.contacts.map((c) => {
      const contactId = sourceContactIdOf(source.id, c.externalId);
      return {
        type: 'ingestion.source-contact-seen',
        data: {
          contactId,
          subjectId: `source-contact:${contactId}`,
          sourceId: source.id,
          externalId: c.externalId,
          name: c.name,
          email: c.email,
          phone: c.phone,
          identifier: c.identifier,
          customAttributes: c.customAttributes,
          raw: c.raw,
          seenAt: c.seenAt,
        },
      };
    });
    if (conversationEvents.length + contactEvents.length === 0) return 0;
    const options = { expectedVersion: ANY, workspaceId: source.workspaceId, actorId: ctx.actorId, correlationId: ctx.correlationId, causationId: ctx.importJobId };
    await inTransaction(this.pool, async (tx) => {
      // One statement per stream type; the events come back as written (the contacts' personal
      // fields in clear, though sealed in the log) for the read models.
      if (conversationEvents.length) {
        const written = await this.store.appendToStreams(
          conversationEvents.map((event) => ({ streamId: `conversation-${event.data.conversationId}`, event })),
          { ...options, streamType: 'conversation', client: tx },
        );
        await applyRowProjection(this.conversations, written, tx);
      }
      if (contactEvents.length) {
        const written = await this.store.appendToStreams(
          contactEvents.map((event) => ({ streamId: `source-contact-${event.data.contactId}`, event })),
          { ...options, streamType: 'source-contact', client: tx },
        );
        await applyRowProjection(this.contacts, written, tx);
      }
    });
    this.store.notifyAppended();
    return conversationEvents.length + contactEvents.length;
  }
}
