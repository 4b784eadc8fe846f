import { v5 as uuidv5 } from 'uuid';
import { ERASED } from '@libs/event-store/personal-data';
import type { MessageIngestedV1 } from '@modules/ingestion/contracts';
import { chunkMessage, ChunkingOptions, TextChunk } from './message-chunker';

/** What knowledge keeps of a message to chunk it (again, after an edit) and to cite it. */
export interface KnowledgeMessage {
  messageId: string;
  workspaceId: string;
  sourceId: string;
  sourceKind: string;
  externalId: string;
  /** The provider's permalink, when the message carries one in its metadata. */
  externalUrl: string | null;
  channelId: string | null;
  channelName: string | null;
  /** The support conversation, else the chat thread: what groups a message with its replies. */
  conversationId: string | null;
  authorSubjectId: string | null;
  authorName: string | null;
  authorExternalId: string | null;
  sentAt: string;
  title: string | null;
  content: string;
}

export interface MessageChunk extends TextChunk {
  /** uuid v5 of (message id, chunk index): a rebuild gives the same ids, so citations stay valid. */
  id: string;
}

const CHUNK_NAMESPACE = 'a3c1e0f2-5b7d-4e8a-9c6f-2d4b8e1f7a90';
const EVIDENCE_NAMESPACE = '0e9b6c4d-3f2a-4d71-8b5e-6a1c9d2e4f38';
const SNIPPET_CHARS = 300;
/** Metadata keys that hold a link back to the message at its provider, in order of preference. */
const LINK_KEYS = ['permalink', 'url', 'shareUrl', 'link', 'webUrl'];

export const chunkIdOf = (messageId: string, index: number) => uuidv5(`${messageId}:${index}`, CHUNK_NAMESPACE);
export const messageEvidenceIdOf = (messageId: string) => uuidv5(`message:${messageId}`, EVIDENCE_NAMESPACE);

/** An erased personal value reads '[erased]' from the log: the name keeps the marker, identifiers become null. */
const identifier = (v: string | null | undefined) => (v === undefined || v === null || v === ERASED ? null : v);

export function externalUrlOf(metadata: unknown): string | null {
  if (!metadata || typeof metadata !== 'object') return null;
  for (const key of LINK_KEYS) {
    const v = (metadata as Record<string, unknown>)[key];
    if (typeof v === 'string' && /^https?:\/\/\S+$/i.test(v) && v.length <= 2000) return v;
  }
  return null;
}

/** From `ingestion.message-ingested` (the v1 contract; events written before `metadata` was named in it may lack it). */
export function knowledgeMessageOf(d: Omit<MessageIngestedV1, 'metadata'> & { metadata?: unknown }, workspaceId: string): KnowledgeMessage {
  return {
    messageId: d.messageId,
    workspaceId,
    sourceId: d.sourceId,
    sourceKind: d.sourceKind,
    externalId: d.externalId,
    externalUrl: externalUrlOf(d.metadata),
    channelId: d.channelId ?? null,
    channelName: d.channelName ?? null,
    conversationId: d.conversationId ?? d.threadId ?? null,
    authorSubjectId: d.authorSubjectId ?? null,
    authorName: d.author?.name ?? null,
    authorExternalId: identifier(d.author?.externalId),
    sentAt: d.sentAt,
    title: d.title ?? null,
    content: typeof d.content === 'string' ? d.content : '',
  };
}

export function chunksOf(m: KnowledgeMessage, options: ChunkingOptions): MessageChunk[] {
  return chunkMessage(m.content, m.title, options).map((c) => ({ ...c, id: chunkIdOf(m.messageId, c.index) }));
}

/** The start of a text, cut at a word, for lists: whitespace folded, at most ~300 characters. */
export function snippetOf(text: string, chars = SNIPPET_CHARS): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  if (flat.length <= chars) return flat;
  const cut = flat.slice(0, chars);
  const space = cut.lastIndexOf(' ');
  return `${(space > chars * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
