import type { GraphMessage, GraphRecipient } from '@modules/ingestion/infrastructure/connectors/graph-mail.client';
import { htmlToPlainText, MAX_BODY_HTML_CHARS } from '@modules/ingestion/application/import-files/email.reader';
import { cut } from '@modules/ingestion/application/import-files/read-context';
import { messageOf, validEmail } from '@modules/ingestion/application/webhooks/webhook-actions';
import { fromAction, Mapped } from './sync-runner';

/** A conversationIndex is a 22-byte header plus 5 bytes per reply in the thread. */
const CONVERSATION_HEADER_BYTES = 22;

/**
 * A Graph message (delta, $select GRAPH_MESSAGE_FIELDS) -> the import item shape, as emails are:
 * - externalId = Graph's immutable id (a deletion names it; it survives moves between folders);
 *   metadata.internetMessageId keeps the RFC 5322 Message-ID;
 * - threadId = conversationId; isReply when the conversationIndex is longer than its header;
 * - content = the text body, or the HTML body made plain by the email import's own path (cut at
 *   the import's HTML bound first, kept as email.bodyHtml); else the preview; else the subject;
 * - flags: isRead -> isUnread, importance high -> isImportant, flagged -> isStarred, isDraft,
 *   the sentitems folder -> isSent; categories -> labels.
 */
export function mapGraphMessage(m: GraphMessage, folder: string): Mapped {
  const metadata: Record<string, unknown> = { folder, conversationId: m.conversationId ?? null, parentFolderId: m.parentFolderId ?? null, hasAttachments: Boolean(m.hasAttachments) };
  if (m.internetMessageId) metadata.internetMessageId = m.internetMessageId;
  const isHtml = (m.body?.contentType ?? '').toLowerCase() === 'html';
  const html = isHtml && m.body?.content ? cut(m.body.content, MAX_BODY_HTML_CHARS) : null;
  if (html?.truncated) metadata.bodyHtmlTruncated = true;
  let body = html ? htmlToPlainText(html.text) : (m.body?.content ?? '').replace(/\u00a0/g, ' ').trimEnd();
  if (body.trim() === '' && m.bodyPreview) body = m.bodyPreview;
  const subject = (m.subject ?? '').trim();
  if (body.trim() === '' && subject) {
    body = subject;
    metadata.contentFromSubject = true;
  }
  const content = cut(body);
  if (content.truncated) metadata.truncated = true;
  const from = m.from?.emailAddress;
  const snippet = (m.bodyPreview ?? content.text).replace(/\s+/g, ' ').trim().slice(0, 200) || null;
  return fromAction(
    messageOf({
      externalId: m.id,
      content: content.text,
      sentAt: m.sentDateTime ?? m.receivedDateTime ?? undefined,
      author: from ? { name: from.name?.trim() || null, email: validEmail(from.address) } : undefined,
      title: subject ? cut(subject, 2_000).text : undefined,
      threadId: m.conversationId ?? m.id,
      isReply: conversationDepth(m.conversationIndex) > 0,
      to: addresses(m.toRecipients),
      cc: addresses(m.ccRecipients),
      email: {
        bcc: addresses(m.bccRecipients),
        bodyHtml: html?.text ?? null,
        snippet,
        labels: Array.isArray(m.categories) ? m.categories.filter((c) => typeof c === 'string') : [],
        isUnread: m.isRead === false,
        isImportant: (m.importance ?? '').toLowerCase() === 'high',
        isStarred: (m.flag?.flagStatus ?? '').toLowerCase() === 'flagged',
        isDraft: Boolean(m.isDraft),
        isSent: folder.toLowerCase() === 'sentitems',
        internalDate: m.receivedDateTime ?? null,
      },
      metadata,
      // The bodies are already in content / email.bodyHtml.
      raw: { id: m.id, internetMessageId: m.internetMessageId ?? null, conversationId: m.conversationId ?? null, receivedDateTime: m.receivedDateTime ?? null, sentDateTime: m.sentDateTime ?? null },
    }),
  );
}

/** Replies above the thread's first message, from the conversationIndex (base64). */
export function conversationDepth(index: string | null | undefined): number {
  if (!index) return 0;
  const bytes = Buffer.from(index, 'base64').length;
  return bytes > CONVERSATION_HEADER_BYTES ? Math.floor((bytes - CONVERSATION_HEADER_BYTES) / 5) : 0;
}

function addresses(list: GraphRecipient[] | null | undefined): string[] {
  return (Array.isArray(list) ? list : []).map((r) => validEmail(r?.emailAddress?.address)).filter((a): a is string => a !== null);
}
