/** Support conversations and the people of a source (seed 002 cw_conversations / cw_contacts), raw payload kept. */
export type ConversationEvent = {
  type: 'ingestion.conversation-updated';
  data: {
    conversationId: string;
    sourceId: string;
    externalId: string;
    status: string | null;
    inboxId: string | null;
    assigneeId: string | null;
    contactExternalId: string | null;
    raw: unknown;
    updatedAt: string;
  };
};

export type SourceContactEvent = {
  type: 'ingestion.source-contact-seen';
  data: {
    contactId: string;
    /** The contact's data subject: `source-contact:<contactId>`. */
    subjectId: string;
    sourceId: string;
    externalId: string;
    name: string | null;
    email: string | null;
    phone: string | null;
    identifier: string | null;
    customAttributes: Record<string, unknown>;
    raw: unknown;
    seenAt: string;
  };
};

export const sourceContactPersonalData: Record<string, { subject: string; fields: string[] }> = {
  'ingestion.source-contact-seen': { subject: 'subjectId', fields: ['name', 'email', 'phone', 'identifier', 'raw'] },
};
