import { createHash } from 'node:crypto';
import { Answer, FakeProvider, Match, SeenRequest } from './fake-provider';

/** A message as the fake mailbox keeps it. */
export interface FakeGmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  /** Epoch milliseconds: when Gmail received it (messages.list orders by it, `after:` compares it). */
  internalDate: number;
  historyId: number;
  raw: Buffer;
  messageId: string | null;
  deleted: boolean;
}

interface HistoryRecord {
  id: number;
  type: 'messageAdded' | 'messageDeleted';
  message: FakeGmailMessage;
}

export interface FakeMailbox {
  email: string;
  messages: Map<string, FakeGmailMessage>;
  /** By RFC Message-ID, for threading. */
  byMessageId: Map<string, FakeGmailMessage>;
  history: HistoryRecord[];
  historyId: number;
  /** history.list with a startHistoryId below this answers 404 (Google keeps about a week). */
  oldestHistoryId: number;
}

const READ_SCOPES = ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.modify', 'https://mail.google.com/'];
export const GMAIL_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';

/** Google's JSON error body (developers.google.com/gmail/api/guides/handle-errors). */
export function googleError(code: number, reason: string, message: string, status: string, domain = 'global', extra: Record<string, unknown> = {}) {
  return { error: { code, message, errors: [{ message, domain, reason, ...extra }], status } };
}

export const RATE_LIMIT_403 = googleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'PERMISSION_DENIED', 'usageLimits');
export const USER_RATE_LIMIT_403 = googleError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'PERMISSION_DENIED', 'usageLimits');
export const TOO_MANY_429 = googleError(429, 'rateLimitExceeded', 'Too many concurrent requests for user', 'RESOURCE_EXHAUSTED', 'usageLimits');
const UNAUTHENTICATED = googleError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'UNAUTHENTICATED', 'global', {
  location: 'Authorization',
  locationType: 'header',
});
const INSUFFICIENT = {
  error: {
    code: 403,
    message: 'Request had insufficient authentication scopes.',
    errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
    status: 'PERMISSION_DENIED',
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com', metadata: { service: 'gmail.googleapis.com', method: 'caribou.api.proto.MailboxService.GetProfile' } }],
  },
};
const NOT_FOUND = googleError(404, 'notFound', 'Requested entity was not found.', 'NOT_FOUND');
const badRequest = (message: string) => googleError(400, 'invalidArgument', message, 'INVALID_ARGUMENT');

const ok = (body: unknown): Answer => ({ status: 200, body });
const ids = (v: string | undefined) => (v ?? '').match(/<[^<>\s]+>/g)?.map((s) => s.slice(1, -1)) ?? [];

/**
 * The Gmail API (gmail/v1, developers.google.com/gmail/api/reference/rest) for the sync, under
 * `/gmail/v1/users/{me|address}`:
 * - GET profile: { emailAddress, messagesTotal, threadsTotal, historyId };
 * - GET messages: q (`after:`/`before:` epoch seconds, other words matched in the raw message),
 *   labelIds (repeated: every one of them), includeSpamTrash (SPAM/TRASH left out unless true),
 *   maxResults (default 100, at most 500), pageToken / nextPageToken (bound to its query: another
 *   query answers 400), resultSizeEstimate; `messages` omitted when none; newest first;
 * - GET messages/{id}?format=raw: { id, threadId, labelIds, snippet, sizeEstimate, historyId,
 *   internalDate (ms, a string), raw (base64url) }; 404 for a deleted or unknown id;
 * - GET history: startHistoryId (required; 404 when older than what the mailbox keeps),
 *   historyTypes (repeated), labelId, maxResults, pageToken; records in increasing id with
 *   `messages` and `messagesAdded` / `messagesDeleted`; `history` omitted when none; `historyId`
 *   the mailbox's current one.
 * Auth: `Authorization: Bearer` of a granted token, else 401 (Google's UNAUTHENTICATED body); a
 * token without a Gmail read scope: 403 insufficientPermissions. Quotas: `fail` with the bodies
 * above (429, 403 rateLimitExceeded / userRateLimitExceeded), Retry-After when given.
 */
export class FakeGmail extends FakeProvider {
  readonly mailboxes = new Map<string, FakeMailbox>();
  private readonly tokens = new Map<string, { email: string; scopes: string[] }>();
  private seq = 0;

  get apiBase(): string {
    return this.url;
  }

  mailbox(email: string): FakeMailbox {
    let box = this.mailboxes.get(email);
    if (!box) this.mailboxes.set(email, (box = { email, messages: new Map(), byMessageId: new Map(), history: [], historyId: 1000 + Math.floor(Math.random() * 1000), oldestHistoryId: 0 }));
    return box;
  }

  /** Tokens another server issued (a fake OAuth provider): asked when a token was not granted here. */
  private issuer?: (token: string) => { email: string; scopes: string[] } | null;

  /** Accepts the access tokens `issuer` vouches for, as Google's API accepts the tokens its OAuth server issued. */
  acceptTokensFrom(issuer: (token: string) => { email: string; scopes: string[] } | null): this {
    this.issuer = issuer;
    return this;
  }

  private grantOf(token: string): { email: string; scopes: string[] } | undefined {
    return this.tokens.get(token) ?? this.issuer?.(token) ?? undefined;
  }

  /** A token that reads `email` (with Gmail read access unless other scopes are given). */
  grant(token: string, email: string, scopes: string[] = [GMAIL_READONLY]): this {
    this.mailbox(email);
    this.tokens.set(token, { email, scopes });
    return this;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** Delivers an RFC 822 message; the thread is that of a message its References / In-Reply-To name (as Gmail threads), else its own. */
  deliver(email: string, rfc822: string | Buffer, opts: { labelIds?: string[]; internalDate?: number } = {}): FakeGmailMessage {
    const box = this.mailbox(email);
    const raw = Buffer.isBuffer(rfc822) ? rfc822 : Buffer.from(rfc822.replace(/\r?\n/g, '\r\n'), 'latin1');
    const head = raw.toString('latin1').split(/\r\n\r\n/)[0].replace(/\r\n[ \t]+/g, ' ');
    const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1];
    const messageId = ids(header('message-id'))[0] ?? null;
    const refs = [...ids(header('references')), ...ids(header('in-reply-to'))];
    const parent = refs.map((r) => box.byMessageId.get(r)).find(Boolean);
    const id = (0x18c0000000000000n + BigInt(++this.seq) * 0x1f3n + BigInt(createHash('sha1').update(raw).digest()[0])).toString(16);
    box.historyId += 1 + (this.seq % 7); // increasing, with gaps
    const m: FakeGmailMessage = { id, threadId: parent?.threadId ?? id, labelIds: opts.labelIds ?? ['INBOX', 'UNREAD'], internalDate: opts.internalDate ?? Date.now(), historyId: box.historyId, raw, messageId, deleted: false };
    box.messages.set(id, m);
    if (messageId && !box.byMessageId.has(messageId)) box.byMessageId.set(messageId, m);
    box.history.push({ id: box.historyId, type: 'messageAdded', message: m });
    return m;
  }

  /** Deletes a message for good (messageDeleted in the history). */
  remove(email: string, id: string): void {
    const box = this.mailbox(email);
    const m = box.messages.get(id);
    if (!m || m.deleted) return;
    m.deleted = true;
    box.historyId += 3;
    box.history.push({ id: box.historyId, type: 'messageDeleted', message: m });
  }

  /** Google no longer has the history up to now: a history.list from an older id answers 404. */
  expireHistory(email: string): void {
    const box = this.mailbox(email);
    box.historyId += 100;
    box.oldestHistoryId = box.historyId;
  }

  /** Requests to one of the API's methods (`profile`, `messages.list`, `messages.get`, `history`) from `from` on. */
  calls(method: 'profile' | 'messages.list' | 'messages.get' | 'history', from = 0): SeenRequest[] {
    return this.since(from).filter((r) => methodOf(r.path) === method);
  }

  /** The next `times` requests matching `when` are refused for quota: 429 (Retry-After) or 403 rateLimitExceeded / userRateLimitExceeded. */
  quota(when: Match, kind: '429' | '403' | '403-user', opts: { times?: number; retryAfter?: string } = {}): this {
    const body = kind === '429' ? TOO_MANY_429 : kind === '403' ? RATE_LIMIT_403 : USER_RATE_LIMIT_403;
    return this.fail({ when, status: kind === '429' ? 429 : 403, body, times: opts.times, retryAfter: opts.retryAfter });
  }

  protected authorize(r: SeenRequest): Answer | null {
    const auth = String(r.headers.authorization ?? '');
    const grant = auth.startsWith('Bearer ') ? this.grantOf(auth.slice(7)) : undefined;
    if (!grant) return { status: 401, body: UNAUTHENTICATED, headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' } };
    if (!grant.scopes.some((s) => READ_SCOPES.includes(s))) return { status: 403, body: INSUFFICIENT };
    const user = /^\/gmail\/v1\/users\/([^/]+)\//.exec(r.path)?.[1];
    if (!user || (decodeURIComponent(user) !== 'me' && decodeURIComponent(user) !== grant.email)) return { status: 403, body: googleError(403, 'forbidden', 'Delegation denied', 'PERMISSION_DENIED') };
    return null;
  }

  protected route(r: SeenRequest): Answer {
    const grant = this.grantOf(String(r.headers.authorization).slice(7))!;
    const box = this.mailbox(grant.email);
    if (r.method !== 'GET') return { status: 405, body: googleError(405, 'methodNotAllowed', 'Method not allowed', 'UNIMPLEMENTED') };
    switch (methodOf(r.path)) {
      case 'profile': {
        const live = [...box.messages.values()].filter((m) => !m.deleted);
        return ok({ emailAddress: box.email, messagesTotal: live.length, threadsTotal: new Set(live.map((m) => m.threadId)).size, historyId: String(box.historyId) });
      }
      case 'messages.list':
        return this.list(box, r.params);
      case 'messages.get': {
        const m = box.messages.get(decodeURIComponent(r.path.split('/').pop()!));
        if (!m || m.deleted) return { status: 404, body: NOT_FOUND };
        const format = r.params.get('format') ?? 'full';
        const base = { id: m.id, threadId: m.threadId, labelIds: m.labelIds, snippet: snippetOf(m.raw), sizeEstimate: m.raw.length, historyId: String(m.historyId), internalDate: String(m.internalDate) };
        if (format === 'raw') return ok({ ...base, raw: m.raw.toString('base64url') });
        if (format === 'minimal') return ok(base);
        return { status: 400, body: badRequest(`The fake answers format=raw and format=minimal only, not ${format}`) };
      }
      case 'history':
        return this.historyList(box, r.params);
      default:
        return { status: 404, body: NOT_FOUND };
    }
  }

  private list(box: FakeMailbox, p: URLSearchParams): Answer {
    const q = p.get('q') ?? '';
    const labels = p.getAll('labelIds');
    const spamTrash = p.get('includeSpamTrash') === 'true';
    const max = Number(p.get('maxResults') ?? 100);
    if (!Number.isInteger(max) || max < 1 || max > 500) return { status: 400, body: badRequest('Invalid maxResults') };
    const terms = q.split(/\s+/).filter(Boolean);
    let matching = [...box.messages.values()].filter((m) => !m.deleted && (spamTrash || !m.labelIds.some((l) => l === 'SPAM' || l === 'TRASH')) && labels.every((l) => m.labelIds.includes(l)));
    for (const t of terms) {
      const after = /^after:(\d+)$/.exec(t);
      const before = /^before:(\d+)$/.exec(t);
      if (after) matching = matching.filter((m) => m.internalDate >= Number(after[1]) * 1000);
      else if (before) matching = matching.filter((m) => m.internalDate < Number(before[1]) * 1000);
      else matching = matching.filter((m) => m.raw.toString('latin1').toLowerCase().includes(t.toLowerCase()));
    }
    matching.sort((a, b) => b.internalDate - a.internalDate || (b.id < a.id ? -1 : 1));
    const key = JSON.stringify([q, labels, spamTrash]);
    let offset = 0;
    const token = p.get('pageToken');
    if (token) {
      const t = readToken(token);
      if (!t || t.key !== key) return { status: 400, body: badRequest('Invalid pageToken') };
      offset = t.offset;
    }
    const page = matching.slice(offset, offset + max);
    return ok({
      ...(page.length ? { messages: page.map((m) => ({ id: m.id, threadId: m.threadId })) } : {}),
      ...(offset + max < matching.length ? { nextPageToken: writeToken({ key, offset: offset + max }) } : {}),
      resultSizeEstimate: matching.length,
    });
  }

  private historyList(box: FakeMailbox, p: URLSearchParams): Answer {
    const start = p.get('startHistoryId');
    if (!start || !/^\d+$/.test(start)) return { status: 400, body: badRequest('Missing or invalid startHistoryId') };
    if (Number(start) < box.oldestHistoryId) return { status: 404, body: NOT_FOUND };
    const types = p.getAll('historyTypes');
    const label = p.get('labelId');
    const max = Number(p.get('maxResults') ?? 100);
    if (!Number.isInteger(max) || max < 1 || max > 500) return { status: 400, body: badRequest('Invalid maxResults') };
    const records = box.history.filter((h) => h.id > Number(start) && (types.length === 0 || types.includes(h.type)) && (!label || h.message.labelIds.includes(label)));
    const key = JSON.stringify([start, types, label]);
    let offset = 0;
    const token = p.get('pageToken');
    if (token) {
      const t = readToken(token);
      if (!t || t.key !== key) return { status: 400, body: badRequest('Invalid pageToken') };
      offset = t.offset;
    }
    const page = records.slice(offset, offset + max);
    const ref = (m: FakeGmailMessage) => ({ id: m.id, threadId: m.threadId, labelIds: m.labelIds });
    return ok({
      ...(page.length
        ? {
            history: page.map((h) => ({
              id: String(h.id),
              messages: [{ id: h.message.id, threadId: h.message.threadId }],
              ...(h.type === 'messageAdded' ? { messagesAdded: [{ message: ref(h.message) }] } : { messagesDeleted: [{ message: ref(h.message) }] }),
            })),
          }
        : {}),
      ...(offset + max < records.length ? { nextPageToken: writeToken({ key, offset: offset + max }) } : {}),
      historyId: String(box.historyId),
    });
  }
}

function methodOf(path: string): 'profile' | 'messages.list' | 'messages.get' | 'history' | null {
  const rest = /^\/gmail\/v1\/users\/[^/]+(\/.*)$/.exec(path)?.[1];
  if (rest === '/profile') return 'profile';
  if (rest === '/messages') return 'messages.list';
  if (rest && /^\/messages\/[^/]+$/.test(rest)) return 'messages.get';
  if (rest === '/history') return 'history';
  return null;
}

const writeToken = (t: { key: string; offset: number }) => Buffer.from(JSON.stringify(t)).toString('base64url');
function readToken(token: string): { key: string; offset: number } | null {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString());
    return typeof t?.key === 'string' && Number.isInteger(t?.offset) ? t : null;
  } catch {
    return null;
  }
}

function snippetOf(raw: Buffer): string {
  // Gmail's snippet is the start of the text: the first few KB are enough to make it.
  const text = raw.subarray(0, 16 * 1024).toString('latin1');
  const body = text.slice(text.search(/\r\n\r\n/) + 4, 4096);
  return body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 100);
}
