import { parseMailDate } from './mail-date';
import { EmailFields, MessageAuthor } from './message.events';

/**
 * A message as any intake hands it over (API import, NDJSON, CSV, export files, webhooks, syncs)
 * before it becomes an event: validated and normalised here, purely, with every problem of a row
 * reported (index and reasons), never thrown.
 */
export interface IncomingMessage {
  externalId: string;
  content: string;
  sentAt: string;
  channelId: string | null;
  channelName: string | null;
  threadId: string | null;
  isReply: boolean;
  conversationId: string | null;
  author: MessageAuthor;
  title: string | null;
  to: string[];
  cc: string[];
  email: EmailFields | null;
  metadata: Record<string, unknown>;
  raw: unknown;
}

export interface FieldError {
  field: string;
  message: string;
}

export type Validated = { ok: true; value: IncomingMessage } | { ok: false; errors: FieldError[] };

const ADDRESS_PART = /^[^\s@<>]+$/;

/**
 * `local@domain` with no space, "@", "<" or ">" in either part and a dot inside the domain: what
 * /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/ says, checked in one pass (that regex backtracks over every
 * dot of the domain: quadratic on a long run of them).
 */
export function isEmailAddress(s: string): boolean {
  const at = s.indexOf('@');
  if (at <= 0) return false;
  const domain = s.slice(at + 1);
  const dot = domain.indexOf('.', 1);
  return dot > 0 && dot < domain.length - 1 && ADDRESS_PART.test(domain) && ADDRESS_PART.test(s.slice(0, at));
}

/**
 * "Dana <dana@x.example>" -> "dana@x.example", else the text itself: what
 * x.replace(/^.*<([^>]+)>$/, '$1') gives (the last "<" of the first line with something and no
 * ">" after it), without that regex's backtracking (quadratic on a run of "<").
 */
function bracketed(x: string): string {
  if (!x.endsWith('>')) return x;
  const lineBreak = x.search(/[\n\r\u2028\u2029]/);
  const from = lineBreak >= 0 ? Math.min(x.length - 3, lineBreak) : x.length - 3;
  if (from < 0) return x;
  const lt = x.lastIndexOf('<', from);
  return lt >= 0 && lt > x.lastIndexOf('>', x.length - 2) ? x.slice(lt + 1, -1) : x;
}

const MAX_CONTENT = 200_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, field: string, errors: FieldError[], max: number, required = false): string | null {
  if (v === undefined || v === null || v === '') {
    if (required) errors.push({ field, message: `${field} is required` });
    return null;
  }
  if (typeof v === 'number' && Number.isFinite(v)) v = String(v);
  if (typeof v !== 'string') {
    errors.push({ field, message: `${field} must be a string` });
    return null;
  }
  if (v.length > max) {
    errors.push({ field, message: `${field} is longer than ${max} characters` });
    return null;
  }
  return v;
}

/** Epoch seconds, milliseconds or microseconds, told apart by size (seconds up to 1e11 reach year 5138). */
function epochMs(n: number): number | null {
  const size = Math.abs(n);
  if (size < 1e11) return n * 1000;
  if (size < 1e14) return n;
  if (size < 1e17) return n / 1000;
  return null;
}

/** `Date.toISOString()`'s own form (4-digit years), checked to round-trip before it is trusted. */
const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const inYears = (iso: string) => iso >= '1970' && iso < '2201';
const isCanonical = (iso: string) => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && new Date(ms).toISOString() === iso;
};

/**
 * A time as intakes write it -> ISO 8601 UTC, or null: epoch seconds (Slack's `1700000000.000100`
 * too), milliseconds or microseconds, as a number or digits; ISO 8601; what CSV exports write
 * (`2024-01-02 10:00:00`, `2024/01/02 10:00`, `01/02/2024 10:00 AM`: month first unless the first
 * number is over 12; `02.01.2024`: day first) and RFC 2822 mail dates. No zone reads as UTC; a year
 * outside 1970..2200 is refused.
 */
export function parseTimestamp(v: unknown): string | null {
  let ms: number | null;
  if (typeof v === 'number') ms = Number.isFinite(v) ? epochMs(v) : null;
  else if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return null;
    // What most intakes send, already in the form returned: not tokenised like a mail date (~5% of an import's CPU).
    if (CANONICAL_ISO.test(s) && isCanonical(s)) return inYears(s) ? s : null;
    if (!/^\d+(\.\d+)?$/.test(s)) return parseMailDate(s);
    ms = epochMs(Number(s));
  } else return null;
  if (ms === null || !Number.isFinite(ms)) return null;
  const at = new Date(ms);
  const year = at.getUTCFullYear();
  return year >= 1970 && year <= 2200 ? at.toISOString() : null;
}

function addresses(v: unknown, field: string, errors: FieldError[]): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? v.split(/[,;]/).map((x) => x.trim()).filter(Boolean) : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
    errors.push({ field, message: `${field} must be a list of email addresses` });
    return [];
  }
  const bad = list.filter((x) => !isEmailAddress(bracketed(x)));
  if (bad.length) errors.push({ field, message: `${field} has invalid addresses: ${bad.slice(0, 3).join(', ')}` });
  return list.slice(0, 500);
}

/** The docs/api.md import item (plus the optional fields other intakes fill) into an IncomingMessage. */
export function validateIncoming(item: unknown): Validated {
  const errors: FieldError[] = [];
  if (!isObject(item)) return { ok: false, errors: [{ field: '', message: 'a message must be a JSON object' }] };
  const externalId = text(item.externalId, 'externalId', errors, 500, true);
  const attachments = isObject(item.metadata) && Array.isArray(item.metadata.attachments) ? item.metadata.attachments.length : 0;
  const content = text(item.content, 'content', errors, MAX_CONTENT, attachments === 0) ?? '';
  if (content !== '' && content.trim() === '' && attachments === 0) errors.push({ field: 'content', message: 'content is blank' });
  const sentAt = parseTimestamp(item.sentAt);
  if (item.sentAt === undefined || item.sentAt === null || item.sentAt === '') errors.push({ field: 'sentAt', message: 'sentAt is required' });
  else if (!sentAt) errors.push({ field: 'sentAt', message: 'sentAt must be a date and time: ISO 8601, an email date (RFC 5322), YYYY/MM/DD hh:mm, MM/DD/YYYY hh:mm, or epoch seconds/milliseconds' });

  let author: IncomingMessage['author'] = { name: null, email: null, externalId: null };
  if (item.author !== undefined && item.author !== null) {
    if (!isObject(item.author)) errors.push({ field: 'author', message: 'author must be an object { name?, email?, externalId? }' });
    else {
      author = {
        name: text(item.author.name, 'author.name', errors, 300),
        email: text(item.author.email, 'author.email', errors, 320),
        externalId: text(item.author.externalId, 'author.externalId', errors, 300),
      };
      if (author.email && !isEmailAddress(author.email)) errors.push({ field: 'author.email', message: 'author.email must be an email address' });
    }
  }
  let channelId: string | null = null;
  let channelName: string | null = null;
  if (isObject(item.channel)) {
    channelId = text(item.channel.id, 'channel.id', errors, 300);
    channelName = text(item.channel.name, 'channel.name', errors, 300);
  } else {
    channelName = text(item.channel, 'channel', errors, 300);
    channelId = text(item.channelId, 'channelId', errors, 300);
  }
  if (item.metadata !== undefined && item.metadata !== null && !isObject(item.metadata)) errors.push({ field: 'metadata', message: 'metadata must be an object' });
  if (item.isReply !== undefined && typeof item.isReply !== 'boolean') errors.push({ field: 'isReply', message: 'isReply must be a boolean' });
  const threadId = text(item.threadId, 'threadId', errors, 300);
  const to = addresses(item.to, 'to', errors);
  const cc = addresses(item.cc, 'cc', errors);
  const title = text(item.title ?? item.subject, 'title', errors, 2_000);
  const conversationId = text(item.conversationId, 'conversationId', errors, 300);
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      externalId: externalId!,
      content,
      sentAt: sentAt!,
      channelId,
      channelName,
      threadId,
      isReply: typeof item.isReply === 'boolean' ? item.isReply : threadId !== null && threadId !== externalId,
      conversationId,
      author,
      title,
      to,
      cc,
      email: isObject(item.email) ? (item.email as unknown as EmailFields) : null,
      metadata: isObject(item.metadata) ? item.metadata : {},
      raw: item.raw ?? null,
    },
  };
}
