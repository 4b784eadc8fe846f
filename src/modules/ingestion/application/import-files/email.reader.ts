import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AddressObject, AttachmentStream, HeaderLines, Headers, MailParser, MessageText } from 'mailparser';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { checkNotAborted, cut, ReadContext, rowError, toRow } from './read-context';

/**
 * Email: one .eml file, or an mbox (mboxo/mboxrd, e.g. Google Takeout's Mail) split message by
 * message while streaming: only one message is in memory at a time (at most MAX_EMAIL_BYTES;
 * a bigger one is a rejected row). Each message is parsed by mailparser's streaming MailParser;
 * attachment bodies are counted and thrown away, never stored nor buffered.
 *
 * - externalId = Message-ID without <>; without one, `sha256:<hex>` of the header block (the
 *   same file gives the same id, so re-imports stay duplicates);
 * - threadId = the thread's root: the first id of References, else In-Reply-To, else the
 *   message's own id; isReply when that root is another message;
 * - subject -> title; the text part -> content (the HTML made plain when there is no text
 *   part; the subject when there is no body at all); From -> author; To/Cc -> to/cc;
 * - `email`: bcc, bodyHtml, snippet, labels (X-Gmail-Labels), flags (Gmail labels, else the
 *   mbox Status/X-Status headers), internalDate (the mbox postmark time);
 * - attachments (inline ones too) listed in metadata.attachments: name, type, size;
 * - raw = the header lines only (bodies are already in content/email.bodyHtml).
 */
export const MAX_EMAIL_BYTES = 64 * 1024 * 1024;
/** Kept HTML per message (the text is what is searched; HTML is for display). */
export const MAX_BODY_HTML_CHARS = 1_000_000;

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

interface ParsedMime {
  headers: Headers;
  headerLines: HeaderLines;
  text: string | null;
  html: string | null;
  attachments: { name: string | null; type: string; size: number; inline: boolean }[];
}

/** MIME with mailparser's streaming parser: headers, text and HTML; attachment bodies counted, not kept. */
export function parseMime(source: Buffer | Readable): Promise<ParsedMime> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true, checksumAlgo: false });
    const out: ParsedMime = { headers: new Map(), headerLines: [], text: null, html: null, attachments: [] };
    parser.on('headers', (h: Headers) => (out.headers = h));
    parser.on('headerLines', (l: HeaderLines) => (out.headerLines = l));
    parser.on('data', (d: AttachmentStream | MessageText) => {
      if (d.type === 'attachment') {
        const att: AttachmentStream = d;
        let size = 0;
        att.content.on('data', (c: Buffer) => (size += c.length));
        att.content.on('end', () => {
          out.attachments.push({ name: att.filename ?? null, type: att.contentType, size, inline: att.contentDisposition === 'inline' || att.related === true });
          att.release?.();
        });
        return;
      }
      out.text = typeof d.text === 'string' ? d.text : null;
      out.html = typeof d.html === 'string' ? d.html : null;
    });
    parser.on('end', () => resolve(out));
    parser.on('error', reject);
    if (Buffer.isBuffer(source)) parser.end(source);
    else {
      source.on('error', (err) => parser.destroy(err));
      source.pipe(parser);
    }
  });
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', hellip: '…', mdash: '—', ndash: '–', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“' };

/** HTML made plain for reading and search: scripts/styles dropped, blocks on their own lines, entities decoded. */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|table|ul|ol|section|article)\s*>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '- ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return NAMED[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const ids = (v: unknown): string[] =>
  (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
    .flatMap((s: string) => s.match(/<[^<>\s]+>/g) ?? (s.trim() ? [s.trim()] : []))
    .map((s) => s.replace(/^<|>$/g, '').trim())
    .filter(Boolean);

function addressList(v: unknown): string[] {
  const objects = (Array.isArray(v) ? v : v ? [v] : []) as AddressObject[];
  const out: string[] = [];
  const walk = (list: AddressObject['value']) => {
    for (const a of list ?? []) {
      if (a.group) walk(a.group);
      else if (a.address && EMAIL.test(a.address)) out.push(a.address);
    }
  };
  for (const o of objects) walk(o?.value ?? []);
  return [...new Set(out)].slice(0, 500);
}

const header = (h: Headers, name: string): string | null => {
  const v = h.get(name);
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? (v[0] as string) : null;
};

/** "From sender Tue Mar  3 10:00:00 2026" (or with a zone) -> the time, when readable. */
export function postmarkDate(postmark: string | null): string | null {
  const m = postmark ? /^From \S+\s+(.+)$/.exec(postmark.trim()) : null;
  if (!m) return null;
  const t = Date.parse(m[1].replace(/\s+/g, ' '));
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** One email (RFC 5322 bytes) -> the API.md item shape (see above). */
export async function emailItem(source: Buffer | Readable, opts: { postmark?: string | null } = {}): Promise<Record<string, unknown>> {
  const mime = await parseMime(source);
  const h = mime.headers;
  const messageId = ids(h.get('message-id'))[0] ?? null;
  const externalId = messageId ?? `sha256:${createHash('sha256').update(mime.headerLines.map((l) => l.line).join('\n')).digest('hex')}`;
  const references = ids(h.get('references'));
  const inReplyTo = ids(h.get('in-reply-to'));
  const root = references[0] ?? inReplyTo[0] ?? externalId;

  const from = (h.get('from') as AddressObject | undefined)?.value?.[0];
  const fromEmail = from?.address && EMAIL.test(from.address) ? from.address : null;
  const subject = typeof h.get('subject') === 'string' ? (h.get('subject') as string).trim() : '';
  const date = h.get('date');
  const postmarkAt = postmarkDate(opts.postmark ?? null);
  const sentAt = date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : postmarkAt;

  const attachments = mime.attachments.map((a) => ({ name: a.name, type: a.type, size: a.size, ...(a.inline ? { inline: true } : {}) }));
  // No-break spaces (from &nbsp;) read and search as spaces.
  let body = (mime.text ?? '').replace(/\u00a0/g, ' ').replace(/\s+$/, '');
  if (body.trim() === '' && mime.html) body = htmlToPlainText(mime.html);
  const metadata: Record<string, unknown> = {};
  if (body.trim() === '' && attachments.length === 0 && subject) {
    body = subject; // a subject-only mail is still something someone said
    metadata.contentFromSubject = true;
  }
  const content = cut(body);
  if (content.truncated) metadata.truncated = true;
  const html = mime.html ? cut(mime.html, MAX_BODY_HTML_CHARS) : null;
  if (html?.truncated) metadata.bodyHtmlTruncated = true;

  const labels = (header(h, 'x-gmail-labels') ?? '').split(',').map((l) => l.trim().replace(/^"|"$/g, '')).filter(Boolean);
  const has = (...names: string[]) => labels.some((l) => names.includes(l.toLowerCase()));
  const status = header(h, 'status');
  const xStatus = header(h, 'x-status') ?? '';
  const priority = `${header(h, 'importance') ?? ''} ${header(h, 'x-priority') ?? ''}`.toLowerCase();

  if (attachments.length) metadata.attachments = attachments;
  if (messageId) metadata.messageId = messageId;
  if (inReplyTo.length) metadata.inReplyTo = inReplyTo[0];
  if (references.length) metadata.references = references.slice(0, 100);
  const replyTo = addressList(h.get('reply-to'));
  if (replyTo.length) metadata.replyTo = replyTo;
  const gmailThread = header(h, 'x-gm-thrid');
  if (gmailThread) metadata.gmailThreadId = gmailThread;
  if (from?.address && !fromEmail) metadata.fromAddress = from.address;

  const text = content.text;
  return {
    externalId,
    content: text,
    sentAt: sentAt ?? undefined,
    author: from ? { name: from.name?.trim() || null, email: fromEmail } : undefined,
    title: subject ? cut(subject, 2_000).text : undefined,
    threadId: root,
    isReply: root !== externalId,
    to: addressList(h.get('to')),
    cc: addressList(h.get('cc')),
    email: {
      bcc: addressList(h.get('bcc')),
      bodyHtml: html?.text ?? null,
      snippet: text.replace(/\s+/g, ' ').trim().slice(0, 200) || null,
      labels,
      isUnread: has('unread') || (status !== null && !status.includes('R')),
      isImportant: has('important') || /high|\b1\b/.test(priority),
      isStarred: has('starred') || xStatus.includes('F'),
      isDraft: has('draft', 'drafts') || xStatus.includes('T'),
      isSent: has('sent', 'sent mail'),
      internalDate: postmarkAt,
    },
    metadata,
    raw: { headers: mime.headerLines.map((l) => l.line) },
  };
}

export interface MboxMessage {
  /** The "From " separator line (without the line break). */
  postmark: string;
  /** The message bytes (">From " unquoted), or null when it is larger than the limit. */
  source: Buffer | null;
  size: number;
}

const FROM_ = Buffer.from('From ');
const isBlank = (buf: Buffer, start: number, end: number) => end - start === 1 || (end - start === 2 && buf[start] === 13);
const POSTMARK_TIME = /\d{1,2}:\d{2}/;
const LONG_LINE = 64 * 1024;

/**
 * Splits an mbox stream into messages, byte-exact (no decoding: 8-bit bodies stay intact).
 * A message starts at a "From " line at the start of the file or after a blank line (or one
 * that looks like a postmark, with a time in it); mboxrd's ">From " quoting is undone.
 * Content before the first separator is reported as `preamble` bytes.
 */
export async function* mboxMessages(input: AsyncIterable<Buffer | string>, max = MAX_EMAIL_BYTES, onPreamble?: (bytes: number) => void): AsyncGenerator<MboxMessage> {
  let carry = Buffer.alloc(0);
  let parts: Buffer[] = [];
  let size = 0;
  let postmark: string | null = null;
  let prevBlank = true;
  let preamble = 0;
  const append = (b: Buffer) => {
    if (b.length === 0) return;
    if (postmark === null) {
      for (const byte of b) if (byte !== 10 && byte !== 13 && byte !== 32 && byte !== 9) preamble++;
      return;
    }
    size += b.length;
    if (size <= max) parts.push(b);
    else parts = [];
  };
  const finish = (): MboxMessage | null => {
    if (postmark === null) return null;
    let source: Buffer | null = size <= max ? Buffer.concat(parts) : null;
    // The blank line before the next separator belongs to the mbox, not to the message.
    if (source && source.length >= 2 && source[source.length - 1] === 10) source = source.subarray(0, source.length - (source[source.length - 2] === 13 ? 2 : 1));
    return { postmark, source, size };
  };
  let midLine = false; // the buffer starts in the middle of a very long line
  const scan = function* (buf: Buffer, final: boolean): Generator<MboxMessage> {
    let lineStart = 0;
    let segStart = 0;
    while (lineStart < buf.length) {
      const nl = buf.indexOf(10, lineStart);
      if (nl < 0 && !final) {
        if (buf.length - lineStart > LONG_LINE) {
          // No line break for a long while: pass the bytes on instead of growing the carry.
          append(buf.subarray(segStart));
          carry = Buffer.alloc(0);
          midLine = true;
          prevBlank = false;
          return;
        }
        break;
      }
      const lineEnd = nl < 0 ? buf.length : nl + 1;
      if (!midLine && buf[lineStart] === 0x46 && buf.subarray(lineStart, lineStart + 5).equals(FROM_)) {
        const line = buf.subarray(lineStart, Math.min(lineEnd, lineStart + 1000)).toString('latin1').replace(/\r?\n$/, '');
        if (postmark === null || prevBlank || POSTMARK_TIME.test(line)) {
          append(buf.subarray(segStart, lineStart));
          const done = finish();
          if (done) yield done;
          if (postmark === null && preamble > 0) onPreamble?.(preamble);
          postmark = line;
          parts = [];
          size = 0;
          segStart = lineEnd;
        }
      } else if (!midLine && buf[lineStart] === 0x3e && /^>+From /.test(buf.subarray(lineStart, Math.min(lineEnd, lineStart + 64)).toString('latin1'))) {
        append(buf.subarray(segStart, lineStart));
        segStart = lineStart + 1; // mboxrd: one '>' less
      }
      prevBlank = !midLine && isBlank(buf, lineStart, lineEnd);
      midLine = false;
      lineStart = lineEnd;
    }
    append(buf.subarray(segStart, lineStart));
    carry = Buffer.from(buf.subarray(lineStart));
  };
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    yield* scan(carry.length ? Buffer.concat([carry, b]) : b, false);
  }
  yield* scan(carry, true);
  if (postmark === null && preamble > 0) onPreamble?.(preamble);
  const last = finish();
  if (last) yield last;
}

/** The rows of an mbox: `index` is the message's position in the file. */
export async function* mboxRows(input: AsyncIterable<Buffer | string>, ctx?: ReadContext, max = MAX_EMAIL_BYTES): AsyncGenerator<ParsedRow> {
  let index = 0;
  let count = 0;
  let preamble = 0;
  for await (const m of mboxMessages(input, max, (bytes) => (preamble = bytes))) {
    if (preamble > 0 && index === 0) {
      yield rowError(index++, `the file does not start with an mbox "From " line: ${preamble} non-blank bytes before the first message were not read`);
      preamble = 0;
    }
    checkNotAborted(ctx);
    const i = index++;
    const where = `message ${++count} of the mbox`;
    if (!m.source) {
      yield rowError(i, `${where} is ${m.size} bytes, more than the ${max} an email may have`);
      continue;
    }
    try {
      yield toRow(i, await emailItem(m.source, { postmark: m.postmark }), where);
    } catch (err) {
      yield rowError(i, `${where} is not a readable email: ${(err as Error).message.slice(0, 200)}`);
    }
  }
  if (index === 0) yield rowError(0, preamble > 0 ? 'not an mbox: no "From " separator line in the file' : 'the mbox has no messages');
}

/** One .eml file: a single row (index 0). */
export async function* emlRows(input: Buffer | Readable, ctx?: ReadContext): AsyncGenerator<ParsedRow> {
  checkNotAborted(ctx);
  let item: Record<string, unknown>;
  try {
    item = await emailItem(input);
  } catch (err) {
    yield rowError(0, `not a readable email: ${(err as Error).message.slice(0, 200)}`);
    return;
  }
  yield toRow(0, item, 'the .eml file');
}
