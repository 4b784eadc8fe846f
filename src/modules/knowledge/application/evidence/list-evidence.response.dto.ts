import { markHeadline } from '@modules/knowledge/domain/search/highlight';
import type { EvidenceRow } from '@modules/knowledge/infrastructure/evidence.queries';

/** One item of GET /evidence. */
export interface EvidenceItem {
  id: string;
  kind: string;
  messageId: string | null;
  sourceId: string | null;
  sourceKind: string | null;
  channelId: string | null;
  channelName: string | null;
  conversationId: string | null;
  externalId: string | null;
  author: { name: string | null; subjectId: string | null };
  occurredAt: string;
  title: string | null;
  /** Plain text: the start of the content. */
  snippet: string;
  /** With q: HTML, the text escaped and the matches in <mark>…</mark>. */
  headline: string | null;
  score: number | null;
  link: { api: string | null; external: string | null };
}

/** A row of the evidence query as the answer's item, with the API link of its message. */
export const evidenceItemOf = (ws: string, r: EvidenceRow): EvidenceItem => ({
  id: r.id,
  kind: r.kind,
  messageId: r.message_id,
  sourceId: r.source_id,
  sourceKind: r.source_kind,
  channelId: r.channel_id,
  channelName: r.channel_name,
  conversationId: r.conversation_id,
  externalId: r.external_id,
  author: { name: r.author_name, subjectId: r.author_subject_id },
  occurredAt: r.occurred_at.toISOString(),
  title: r.title,
  snippet: r.snippet,
  headline: r.headline !== undefined ? markHeadline(r.headline) : null,
  score: r.score ?? null,
  link: { api: r.message_id ? `/api/v1/workspaces/${ws}/messages/${r.message_id}` : null, external: r.external_url },
});
