import { MessageIngestedV1, SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';

/** The one message model: chat messages, call transcripts, support messages and emails. */
export interface MessageAuthor {
  name: string | null;
  email: string | null;
  externalId: string | null;
}

export interface EmailFields {
  bcc: string[];
  bodyHtml: string | null;
  snippet: string | null;
  labels: string[];
  isUnread: boolean;
  isImportant: boolean;
  isStarred: boolean;
  isDraft: boolean;
  isSent: boolean;
  internalDate: string | null;
}

export interface MessageIngestedData {
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
  /** The author's data subject (crypto-shredding): `author:<uuid v5 of source + author key>`. */
  authorSubjectId: string;
  author: MessageAuthor;
  title: string | null;
  to: string[];
  cc: string[];
  email: EmailFields | null;
  /** Reactions, attachments, reply counts...: provider facts kept as they came. */
  metadata: Record<string, unknown>;
  /** The provider's own payload, verbatim. */
  raw: unknown;
  importJobId: string | null;
}

export type MessageEvent =
  | { type: 'ingestion.message-ingested'; data: MessageIngestedData }
  | { type: 'ingestion.message-edited'; data: { messageId: string; content: string; editedAt: string; raw?: unknown } }
  | { type: 'ingestion.message-deleted'; data: { messageId: string; deletedAt: string } }
  | {
      type: 'ingestion.message-classified';
      data: { messageId: string; classification: NoiseClassification; factors: Record<string, number>; importance: number; classifiedAt: string };
    };

export type NoiseClassification = 'signal' | 'noise' | 'spam' | 'low_quality' | 'high_quality';

/** Who a message names: the author's identity is personal data of the author's subject. */
export const messagePersonalData: Record<string, { subject: string; fields: string[] }> = {
  'ingestion.message-ingested': { subject: 'authorSubjectId', fields: ['author.name', 'author.email', 'author.externalId', 'raw'] },
};

/** Compile-time check: what the log carries satisfies the published contract (contracts/). */
export const satisfiesMessageIngestedV1 = (d: MessageIngestedData): MessageIngestedV1 => d;
