import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Tokenizer, TokenizerCallbacks } from 'htmlparser2';
import { AddressObject, AttachmentStream, HeaderLines, Headers, MailParser, MessageText } from 'mailparser';
import { DEFAULT_IMPORT_LIMITS, humanBytes } from '@modules/ingestion/application/import-messages/import-limits';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { isEmailAddress } from '@modules/ingestion/domain/message/incoming-message';
import { postmarkDate, resolveSentAt } from '@modules/ingestion/domain/message/mail-date';
import { checkNotAborted, cut, MAX_CONTENT_CHARS, ReadContext, rowError, toRow } from './read-context';

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
 * - sentAt: the Date header as mail really writes it (obsolete and malformed forms), else the
 *   newest Received header, the mbox postmark, the import time: metadata.sentAtSource says which;
 * - subject -> title; the text part -> content (the HTML made plain when there is no text
 *   part; the subject when there is no body at all); From -> author; To/Cc -> to/cc;
 * - the HTML is cut at IMPORT_HTML_MAX_CHARS before anything reads it (kept as bodyHtml, made
 *   plain when there is no text part): metadata.bodyHtmlTruncated, and truncated when the
 *   content came from the cut HTML; the text part is cut at MAX_CONTENT_CHARS first too;
 * - `email`: bcc, bodyHtml, snippet, labels (X-Gmail-Labels), flags (Gmail labels, else the
 *   mbox Status/X-Status headers), internalDate (the mbox postmark time);
 * - attachments (inline ones too) listed in metadata.attachments: name, type, size;
 * - raw = the header lines only (bodies are already in content/email.bodyHtml).
 */
export const MAX_EMAIL_BYTES = DEFAULT_IMPORT_LIMITS.emailMaxBytes;
/** Kept HTML per message by default (IMPORT_HTML_MAX_CHARS; the text is what is searched, HTML is for display). */
export const MAX_BODY_HTML_CHARS = DEFAULT_IMPORT_LIMITS.htmlMaxChars;

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
    // skipHtmlToText: mailparser's html-to-text builds a DOM of the whole, uncut HTML part (and
    // tries our patience on deep nesting); the HTML is made plain here instead, after the cut.
    const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true, skipHtmlToText: true, checksumAlgo: false });
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

/** Elements whose content is not text people read: dropped with their content. */
const HIDDEN = new Set(['script', 'style', 'title']);
/** Elements whose end starts a new line. */
const BLOCKS = new Set(['p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'table', 'ul', 'ol', 'section', 'article']);
const noop = () => undefined;

/**
 * HTML made plain for reading and search: scripts, styles and the head dropped, blocks on their
 * own lines, list items as "- ", entities decoded, spaces folded.
 *
 * On htmlparser2's Tokenizer: one linear pass of a state machine, whatever the input (no
 * backtracking regexes over unclosed tags or comments, which took seconds per 100 KB). Not its
 * Parser: that one keeps a stack of open elements it unshifts and searches per tag, quadratic on
 * deep or mismatched nesting; no element stack is needed to flatten HTML to text.
 */
export function htmlToPlainText(html: string): string {
  const out: string[] = [];
  let hidden: string | null = null; // inside <script>/<style>/<title> (the tokenizer reads them raw up to their end tag)
  let inHead = false;
  const push = (s: string) => {
    if (hidden === null && !inHead) out.push(s);
  };
  const cbs: TokenizerCallbacks = {
    ontext: (start, end) => push(html.slice(start, end)),
    ontextentity: (codePoint) => push(String.fromCodePoint(codePoint)),
    onopentagname: (start, end) => {
      const name = html.slice(start, end).toLowerCase();
      if (HIDDEN.has(name)) hidden ??= name;
      else if (name === 'head') inHead = true;
      else if (name === 'body') inHead = false;
      else if (name === 'br') push('\n');
      else if (name === 'li') push('- ');
    },
    onclosetag: (start, end) => {
      const name = html.slice(start, end).toLowerCase();
      if (name === hidden) {
        hidden = null;
        push(' ');
      } else if (name === 'head' && inHead) {
        inHead = false;
        push(' ');
      } else if (BLOCKS.has(name)) push('\n');
    },
    oncomment: () => push(' '),
    onattribdata: noop,
    onattribentity: noop,
    onattribend: noop,
    onattribname: noop,
    oncdata: noop,
    ondeclaration: noop,
    onend: noop,
    onopentagend: noop,
    onprocessinginstruction: noop,
    onselfclosingtag: noop,
  };
  const tokenizer = new Tokenizer({ decodeEntities: true }, cbs);
  tokenizer.write(html);
  tokenizer.end();
  return foldWhitespace(out.join(''));
}

const isFolded = (c: number) => c === 32 || c === 9 || c === 0xa0 || c === 10;

/**
 * Each run of spaces, tabs, no-break spaces and line breaks becomes one space, or the line breaks
 * it holds (at most two); the ends are trimmed. One pass: what three regular expressions did
 * (runs of spaces to one, spaces around line breaks dropped, three or more breaks to two),
 * without their cost per match.
 */
export function foldWhitespace(s: string): string {
  const parts: string[] = [];
  let plainStart = 0;
  let i = 0;
  while (i < s.length) {
    if (!isFolded(s.charCodeAt(i))) {
      i++;
      continue;
    }
    if (i > plainStart) parts.push(s.slice(plainStart, i));
    let breaks = 0;
    for (; i < s.length && isFolded(s.charCodeAt(i)); i++) if (s.charCodeAt(i) === 10) breaks++;
    parts.push(breaks === 0 ? ' ' : breaks === 1 ? '\n' : '\n\n');
    plainStart = i;
  }
  if (plainStart < s.length) parts.push(s.slice(plainStart));
  return parts.join('').trim();
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
      else if (a.address && isEmailAddress(a.address)) out.push(a.address);
    }
  };
  for (const o of objects) walk(o?.value ?? []);
  return [...new Set(out)].slice(0, 500);
}

const header = (h: Headers, name: string): string | null => {
  const v = h.get(name);
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? (v[0] as string) : null;
};

/**
 * The raw values of the headers, by lower-case name in header order (unfolded), read once per
 * message: what mailparser's own parse of a header could not read stays readable here.
 */
function rawHeaderValues(lines: HeaderLines): (key: string) => string[] {
  const byKey = new Map<string, string[]>();
  for (const l of lines) {
    const value = l.line.slice(l.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    const list = byKey.get(l.key);
    if (list) list.push(value);
    else byKey.set(l.key, [value]);
  }
  return (key) => byKey.get(key) ?? [];
}

/** One email (RFC 5322 bytes) -> the docs/api.md item shape (see above). */
export async function emailItem(source: Buffer | Readable, opts: { postmark?: string | null; htmlMaxChars?: number; now?: Date } = {}): Promise<Record<string, unknown>> {
  const mime = await parseMime(source);
  const h = mime.headers;
  const messageId = ids(h.get('message-id'))[0] ?? null;
  const externalId = messageId ?? `sha256:${createHash('sha256').update(mime.headerLines.map((l) => l.line).join('\n')).digest('hex')}`;
  const references = ids(h.get('references'));
  const inReplyTo = ids(h.get('in-reply-to'));
  const root = references[0] ?? inReplyTo[0] ?? externalId;

  const from = (h.get('from') as AddressObject | undefined)?.value?.[0];
  const fromEmail = from?.address && isEmailAddress(from.address) ? from.address : null;
  const subject = typeof h.get('subject') === 'string' ? (h.get('subject') as string).trim() : '';
  const postmarkAt = postmarkDate(opts.postmark ?? null);
  // As mail readers do: the Date header as written (obsolete and broken forms too), else the newest
  // Received, the postmark, the import time; which one is said in metadata.sentAtSource.
  const rawValues = rawHeaderValues(mime.headerLines);
  const { sentAt, sentAtSource } = resolveSentAt({ date: rawValues('date')[0] ?? null, received: rawValues('received'), postmark: opts.postmark ?? null, now: opts.now ?? new Date() });

  const attachments = mime.attachments.map((a) => ({ name: a.name, type: a.type, size: a.size, ...(a.inline ? { inline: true } : {}) }));
  const metadata: Record<string, unknown> = { sentAtSource };
  // Cut before anything reads them: what is kept is all that is worth the work.
  const html = mime.html ? cut(mime.html, opts.htmlMaxChars ?? MAX_BODY_HTML_CHARS) : null;
  if (html?.truncated) metadata.bodyHtmlTruncated = true;
  // Trailing space goes first (trimEnd: a regex /\s+$/ rescans every inner run of spaces, quadratic);
  // no-break spaces (from &nbsp;) read and search as spaces.
  const plain = cut((mime.text ?? '').trimEnd(), MAX_CONTENT_CHARS);
  let body = plain.text.replace(/\u00a0/g, ' ');
  if (plain.truncated) metadata.truncated = true;
  if (body.trim() === '' && html) {
    body = htmlToPlainText(html.text);
    if (html.truncated) metadata.truncated = true;
  }
  if (body.trim() === '' && attachments.length === 0 && subject) {
    body = subject; // a subject-only mail is still something someone said
    metadata.contentFromSubject = true;
  }
  const content = cut(body);
  if (content.truncated) metadata.truncated = true;

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
  // What the mail system said of the message: a list post, an automatic one, its own spam verdict.
  const [listId] = rawValues('list-id');
  if (listId) metadata.listId = listId.slice(0, 300);
  const [precedence] = rawValues('precedence');
  if (precedence) metadata.precedence = precedence.toLowerCase().slice(0, 50);
  const [autoSubmitted] = rawValues('auto-submitted');
  if (autoSubmitted) metadata.autoSubmitted = autoSubmitted.toLowerCase().slice(0, 50);
  const spamFlag = `${rawValues('x-spam-flag')[0] ?? ''} ${(rawValues('x-spam-status')[0] ?? '').split(/[,\s]/, 1)[0]}`;
  if (/\byes\b/i.test(spamFlag) || has('spam')) metadata.spamVerdict = 'spam';
  const gmailThread = header(h, 'x-gm-thrid');
  if (gmailThread) metadata.gmailThreadId = gmailThread;
  if (from?.address && !fromEmail) metadata.fromAddress = from.address;

  const text = content.text;
  return {
    externalId,
    content: text,
    sentAt,
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
  /** Of a message larger than the limit: the Message-ID read from its first bytes, so the rejection names it. */
  messageId?: string | null;
}

const HEAD_BYTES = 64 * 1024;
const MESSAGE_ID_HEADER = /^message-id:[ \t]*(?:\r?\n[ \t]+)?<?([^<>\s]{1,500})>?/im;

/** The Message-ID of raw message bytes, from the header block in its first 64 KB; null when there is none. */
export function sniffMessageId(bytes: Buffer): string | null {
  const head = bytes.subarray(0, HEAD_BYTES).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  return MESSAGE_ID_HEADER.exec(end >= 0 ? head.slice(0, end) : head)?.[1] ?? null;
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
  let head: Buffer | null = null; // the first bytes of a message past the limit
  const append = (b: Buffer) => {
    if (b.length === 0) return;
    if (postmark === null) {
      for (const byte of b) if (byte !== 10 && byte !== 13 && byte !== 32 && byte !== 9) preamble++;
      return;
    }
    size += b.length;
    if (size <= max) parts.push(b);
    else if (head === null) {
      head = Buffer.concat([...parts, b]).subarray(0, HEAD_BYTES);
      parts = [];
    }
  };
  const finish = (): MboxMessage | null => {
    if (postmark === null) return null;
    let source: Buffer | null = size <= max ? Buffer.concat(parts) : null;
    // The blank line before the next separator belongs to the mbox, not to the message.
    if (source && source.length >= 2 && source[source.length - 1] === 10) source = source.subarray(0, source.length - (source[source.length - 2] === 13 ? 2 : 1));
    const messageId = source === null && head !== null ? sniffMessageId(head) : undefined;
    head = null;
    return { postmark, source, size, ...(messageId !== undefined ? { messageId } : {}) };
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

/** The rows of an mbox: `index` is the message's position in the file; `now` is the import's time (the last fallback of sentAt). */
export async function* mboxRows(input: AsyncIterable<Buffer | string>, ctx?: ReadContext, max = MAX_EMAIL_BYTES, now = new Date()): AsyncGenerator<ParsedRow> {
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
      yield { ...rowError(i, `${where} is ${humanBytes(m.size)}, more than the ${humanBytes(max)} an email may have (IMPORT_EMAIL_MAX_MB)`), externalId: m.messageId };
      continue;
    }
    try {
      yield toRow(i, await emailItem(m.source, { postmark: m.postmark, htmlMaxChars: ctx?.limits?.htmlMaxChars, now }), where);
    } catch (err) {
      yield { ...rowError(i, `${where} is not a readable email: ${(err as Error).message.slice(0, 200)}`), externalId: sniffMessageId(m.source) };
    }
  }
  if (index === 0) yield rowError(0, preamble > 0 ? 'not an mbox: no "From " separator line in the file' : 'the mbox has no messages');
}

/** One .eml file: a single row (index 0); one of more than `max` bytes (MAX_EMAIL_BYTES, as in an mbox) is a rejected row, not read. */
export async function* emlRows(input: Buffer | Readable, ctx?: ReadContext, size?: number, max = MAX_EMAIL_BYTES): AsyncGenerator<ParsedRow> {
  checkNotAborted(ctx);
  if (size !== undefined && size > max) {
    yield rowError(0, `the .eml file is ${humanBytes(size)}, more than the ${humanBytes(max)} an email may have (IMPORT_EMAIL_MAX_MB)`);
    return;
  }
  let item: Record<string, unknown>;
  try {
    item = await emailItem(input, { htmlMaxChars: ctx?.limits?.htmlMaxChars });
  } catch (err) {
    yield rowError(0, `not a readable email: ${(err as Error).message.slice(0, 200)}`);
    return;
  }
  yield toRow(0, item, 'the .eml file');
}
