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

/** Each message is one stream of the log; other modules may read it (e.g. to check a message exists). */
export const messageStreamIdOf = (messageId: string) => `message-${messageId}`;

export const SOURCE_KINDS = ['slack', 'email', 'gmail', 'gong', 'fathom', 'chatwoot', 'telegram', 'api', 'imap', 'microsoft365'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** v1 payloads, primitives only (consumers must accept unknown extra fields; names never change within a version). */
export interface MessageIngestedV1 {
  messageId: string;
  sourceId: string;
  sourceKind: SourceKind;
  externalId: string;
  content: string;
  sentAt: string;
  channelId: string | null;
  channelName: string | null;
  threadId: string | null;
  isReply: boolean;
  conversationId: string | null;
  /** Crypto-shredded: '[erased]' once the author's data subject is erased. */
  author: { name: string | null; email: string | null; externalId: string | null };
  authorSubjectId: string;
  title: string | null;
  to: string[];
  cc: string[];
  /** Provider extras: reactions, attachments, subtype, permalink/url when the provider gives one. */
  metadata: Record<string, unknown>;
}

export interface MessageEditedV1 {
  messageId: string;
  content: string;
  editedAt: string;
}

export interface MessageDeletedV1 {
  messageId: string;
  deletedAt: string;
}

export interface ConversationUpdatedV1 {
  conversationId: string;
  sourceId: string;
  externalId: string;
  status: string | null;
  inboxId: string | null;
  assigneeId: string | null;
  contactExternalId: string | null;
  updatedAt: string;
}

export interface SourceContactSeenV1 {
  contactId: string;
  subjectId: string;
  sourceId: string;
  externalId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  seenAt: string;
}
