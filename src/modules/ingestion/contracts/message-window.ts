/**
 * The messages of a time window, as analysis reads them: pages in time order with ingestion's
 * noise classification, author, thread and sent time. `MessageWindow` is also the DI token,
 * bound inside ingestion to its read model (other modules never read ingestion's tables).
 */
export interface MessageWindowQuery {
  workspaceId: string;
  /** sent_at >= from (ISO 8601). */
  from: string;
  /** sent_at < to (ISO 8601). */
  to: string;
  /** Only these sources (empty or absent: all). */
  sourceIds?: string[];
  /** Only these channels, by id or name (empty or absent: all). */
  channels?: string[];
}

/** Keyset position in a window: the last (sentAt, id) read. */
export interface MessageWindowPosition {
  sentAt: string;
  id: string;
}

export interface WindowMessage {
  id: string;
  sourceId: string;
  sourceKind: string;
  externalId: string;
  /** Empty when the page was asked without content (`contentChars` still says how long it is). */
  content: string;
  contentChars: number;
  title: string | null;
  /** ISO 8601. */
  sentAt: string;
  channelId: string | null;
  channelName: string | null;
  threadId: string | null;
  conversationId: string | null;
  isReply: boolean;
  author: { subjectId: string | null; name: string | null; email: string | null; externalId: string | null };
  /** signal | noise | spam | low_quality | high_quality; null while not classified yet. */
  noiseClassification: string | null;
  importanceScore: number | null;
}

export interface MessageWindowPage {
  items: WindowMessage[];
  /** Where the next page starts; null after the last one. */
  next: MessageWindowPosition | null;
}

export abstract class MessageWindow {
  /** Messages of the window (deleted ones left out), oldest first, `limit` at most, after `after`. */
  abstract page(query: MessageWindowQuery, after: MessageWindowPosition | null, limit: number, options?: { includeContent?: boolean }): Promise<MessageWindowPage>;
  /** These messages of the workspace (others' and unknown ids left out), oldest first, with content. */
  abstract byIds(workspaceId: string, ids: readonly string[]): Promise<WindowMessage[]>;
}
