/**
 * What ingestion tells other modules (knowledge, analysis, crm), through the durable
 * subscription: event types of the log with primitive, versioned payloads. Consumers read the
 * `ingestion.message-ingested` events themselves; these names and shapes are the contract.
 */
export const IngestionEvents = {
  /** v1: { messageId, sourceId, sourceKind, externalId, content, sentAt, channelId, channelName, threadId, isReply, conversationId, author: { name, email, externalId }, title } */
  MessageIngested: 'ingestion.message-ingested',
  /** v1: { messageId, content, editedAt } */
  MessageEdited: 'ingestion.message-edited',
  /** v1: { messageId, deletedAt } */
  MessageDeleted: 'ingestion.message-deleted',
  /** v1: { conversationId, sourceId, externalId, status, contactExternalId, raw } */
  ConversationUpdated: 'ingestion.conversation-updated',
  /** v1: { contactId, sourceId, externalId, name, email, phone, raw } */
  SourceContactSeen: 'ingestion.source-contact-seen',
} as const;

export const SOURCE_KINDS = ['slack', 'email', 'gmail', 'gong', 'fathom', 'chatwoot', 'telegram', 'api'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
