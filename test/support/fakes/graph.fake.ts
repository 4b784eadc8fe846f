import { randomBytes } from 'node:crypto';
import { Answer, FakeProvider, SeenRequest } from './fake-provider';

export interface FakeGraphMessage {
  id: string;
  subject: string;
  from: { emailAddress: { name: string; address: string } };
  toRecipients: { emailAddress: { name: string; address: string } }[];
  ccRecipients: { emailAddress: { name: string; address: string } }[];
  bccRecipients: { emailAddress: { name: string; address: string } }[];
  receivedDateTime: string;
  sentDateTime: string;
  conversationId: string;
  conversationIndex: string;
  internetMessageId: string;
  body: { contentType: 'html' | 'text'; content: string };
  bodyPreview: string;
  isRead: boolean;
  isDraft: boolean;
  importance: 'low' | 'normal' | 'high';
  flag: { flagStatus: 'notFlagged' | 'flagged' | 'complete' };
  hasAttachments: boolean;
  categories: string[];
  parentFolderId: string;
}

interface Stored {
  message: FakeGraphMessage;
  folder: string;
  /** Change sequence of its last add or update, and of its removal. */
  seq: number;
  removedSeq: number | null;
  addedSeq: number;
}

/** A round of delta pages, frozen at its first request (what a nextLink walks through). */
interface Round {
  mailbox: string;
  folder: string;
  entries: Record<string, unknown>[];
  offset: number;
  pageSize: number;
  /** The sequence the round's deltaLink will resume from. */
  upTo: number;
  select: string[] | null;
  since: string | null;
}

interface DeltaState {
  mailbox: string;
  folder: string;
  seq: number;
  select: string[] | null;
  since: string | null;
}

const ALL_FIELDS: (keyof FakeGraphMessage)[] = [
  'subject', 'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'receivedDateTime', 'sentDateTime', 'conversationId', 'conversationIndex', 'internetMessageId', 'body', 'bodyPreview', 'isRead', 'isDraft', 'importance', 'flag', 'hasAttachments', 'categories', 'parentFolderId',
];
const WELL_KNOWN = ['inbox', 'sentitems', 'drafts', 'deleteditems', 'archive', 'junkemail'];

const graphError = (status: number, code: string, message: string): Answer => ({
  status,
  body: { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomBytes(8).toString('hex'), 'client-request-id': randomBytes(8).toString('hex') } } },
});

/**
 * Microsoft Graph mail delta as its documentation describes it (learn.microsoft.com/graph/delta-query-messages,
 * /graph/api/message-delta): GET /v1.0/me/mailFolders/{id}/messages/delta with `$select`, an optional
 * `$filter=receivedDateTime ge {date}` and `Prefer: odata.maxpagesize=n`; pages carry
 * `@odata.nextLink` (with `$skiptoken`) until the last one, which carries `@odata.deltaLink` (with
 * `$deltatoken`); a later call of the deltaLink answers only what changed since (added or updated
 * messages in full, removed ones as `{ id, "@removed": { reason } }`) and a new deltaLink. An
 * expired delta token is 410 Gone (syncStateNotFound); a bad or revoked token 401
 * InvalidAuthenticationToken; a mailbox whose token lacks Mail.Read 403 ErrorAccessDenied; an
 * unknown folder 404 ErrorItemNotFound. 429 with Retry-After through `fail()`.
 */
export class FakeGraph extends FakeProvider {
  private seq = 0;
  private readonly tokens = new Map<string, { mailbox: string; revoked: boolean; canReadMail: boolean }>();
  private readonly messages = new Map<string, Stored>();
  private readonly rounds = new Map<string, Round>();
  private readonly deltas = new Map<string, DeltaState>();
  private counter = 0;

  get apiBase(): string {
    return `${this.url}/v1.0`;
  }

  /** A mailbox reached with this access token. */
  mailbox(token: string, opts: { canReadMail?: boolean } = {}): string {
    const mailbox = `mbx-${randomBytes(4).toString('hex')}`;
    this.tokens.set(token, { mailbox, revoked: false, canReadMail: opts.canReadMail ?? true });
    return mailbox;
  }

  /** Another token for the same mailbox (what a refresh hands out). */
  grant(token: string, mailbox: string): void {
    this.tokens.set(token, { mailbox, revoked: false, canReadMail: true });
  }

  /** The token is refused from now on (revoked, expired at Microsoft's end). */
  revoke(token: string): void {
    const t = this.tokens.get(token);
    if (t) t.revoked = true;
  }

  /** Every delta token issued so far expires (410 on its next use). */
  expireDeltaTokens(): void {
    this.deltas.clear();
  }

  /** A message received into a folder; `html` bodies by default. */
  deliver(mailbox: string, folder: string, m: Partial<FakeGraphMessage> & { subject: string; text?: string; replyTo?: FakeGraphMessage }): FakeGraphMessage {
    const n = ++this.counter;
    const at = m.receivedDateTime ?? new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const text = m.text ?? `Body of ${m.subject}`;
    const header = Buffer.alloc(22, n % 256);
    const index = m.replyTo ? Buffer.concat([Buffer.from(m.replyTo.conversationIndex, 'base64'), Buffer.alloc(5, 1)]) : header;
    const message: FakeGraphMessage = {
      id: `AAMk${randomBytes(12).toString('base64url')}=`,
      from: { emailAddress: { name: 'Ana Lima', address: 'ana@customer.example' } },
      toRecipients: [{ emailAddress: { name: 'Support', address: 'support@vendor.example' } }],
      ccRecipients: [],
      bccRecipients: [],
      receivedDateTime: at,
      sentDateTime: at,
      conversationId: m.replyTo?.conversationId ?? `AAQk${randomBytes(8).toString('base64url')}=`,
      conversationIndex: index.toString('base64'),
      internetMessageId: `<${randomBytes(6).toString('hex')}@customer.example>`,
      body: { contentType: 'html', content: `<html><head><style>p{color:red}</style></head><body><p>${text}</p></body></html>` },
      bodyPreview: text.slice(0, 255),
      isRead: false,
      isDraft: false,
      importance: 'normal',
      flag: { flagStatus: 'notFlagged' },
      hasAttachments: false,
      categories: [],
      parentFolderId: `folder-${folder}`,
      ...m,
    } as FakeGraphMessage;
    delete (message as Partial<FakeGraphMessage> & { text?: string; replyTo?: unknown }).text;
    delete (message as Partial<FakeGraphMessage> & { replyTo?: unknown }).replyTo;
    const seq = ++this.seq;
    this.messages.set(message.id, { message, folder: `${mailbox}/${folder}`, seq, removedSeq: null, addedSeq: seq });
    return message;
  }

  /** The message is changed (e.g. read): delta answers it again in full. */
  update(id: string, patch: Partial<FakeGraphMessage>): void {
    const s = this.messages.get(id)!;
    Object.assign(s.message, patch);
    s.seq = ++this.seq;
  }

  /** The message is deleted: delta answers `@removed` to whoever had seen it. */
  remove(id: string): void {
    this.messages.get(id)!.removedSeq = ++this.seq;
  }

  deltaRequests(from = 0): SeenRequest[] {
    return this.since(from).filter((r) => r.path.endsWith('/messages/delta'));
  }

  protected authorize(r: SeenRequest): Answer | null {
    const auth = String(r.headers.authorization ?? '');
    const t = auth.startsWith('Bearer ') ? this.tokens.get(auth.slice(7)) : undefined;
    if (!t || t.revoked) return graphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    if (!t.canReadMail) return graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return null;
  }

  protected route(r: SeenRequest): Answer {
    const m = /^\/v1\.0\/me\/mailFolders\/([^/]+)\/messages\/delta$/.exec(r.path);
    if (r.method !== 'GET' || !m) return graphError(400, 'BadRequest', 'Unsupported request.');
    const mailbox = this.tokens.get(String(r.headers.authorization).slice(7))!.mailbox;
    const folder = decodeURIComponent(m[1]);
    const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(String(r.headers.prefer ?? ''))?.[1] ?? 10);
    if (r.query.$skiptoken !== undefined) {
      const round = this.rounds.get(r.query.$skiptoken);
      if (!round || round.mailbox !== mailbox || round.folder !== folder) return graphError(400, 'BadRequest', 'The skip token is not valid.');
      this.rounds.delete(r.query.$skiptoken);
      return this.page(round);
    }
    if (!WELL_KNOWN.includes(folder)) return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    if (r.query.$deltatoken !== undefined) {
      const state = this.deltas.get(r.query.$deltatoken);
      if (!state || state.mailbox !== mailbox || state.folder !== folder) return graphError(410, 'SyncStateNotFound', 'The sync state generation is not found.');
      const entries: Record<string, unknown>[] = [];
      for (const s of this.inFolder(mailbox, folder, state.since)) {
        if (s.removedSeq !== null) {
          if (s.removedSeq > state.seq && s.addedSeq <= state.seq) entries.push({ id: s.message.id, '@removed': { reason: 'deleted' } });
        } else if (s.seq > state.seq) entries.push(this.project(s.message, state.select));
      }
      return this.page({ mailbox, folder, entries, offset: 0, pageSize, upTo: this.seq, select: state.select, since: state.since });
    }
    // A new round: every message now in the folder (received since the filter's date).
    const select = r.query.$select ? r.query.$select.split(',') : null;
    const since = /^receivedDateTime ge (\S+)$/.exec(r.query.$filter ?? '')?.[1] ?? null;
    if (r.query.$filter !== undefined && !since) return graphError(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
    const entries = this.inFolder(mailbox, folder, since).filter((s) => s.removedSeq === null).map((s) => this.project(s.message, select));
    return this.page({ mailbox, folder, entries, offset: 0, pageSize, upTo: this.seq, select, since });
  }

  private page(round: Round): Answer {
    const value = round.entries.slice(round.offset, round.offset + round.pageSize);
    const base = `${this.apiBase}/me/mailFolders/${round.folder}/messages/delta`;
    const body: Record<string, unknown> = { '@odata.context': `${this.apiBase}/$metadata#Collection(message)`, value };
    if (round.offset + round.pageSize < round.entries.length) {
      const token = randomBytes(12).toString('base64url');
      this.rounds.set(token, { ...round, offset: round.offset + round.pageSize });
      body['@odata.nextLink'] = `${base}?$skiptoken=${token}`;
    } else {
      const token = randomBytes(12).toString('base64url');
      this.deltas.set(token, { mailbox: round.mailbox, folder: round.folder, seq: round.upTo, select: round.select, since: round.since });
      body['@odata.deltaLink'] = `${base}?$deltatoken=${token}`;
    }
    return { status: 200, body };
  }

  private inFolder(mailbox: string, folder: string, since: string | null): Stored[] {
    return [...this.messages.values()].filter((s) => s.folder === `${mailbox}/${folder}` && (!since || s.message.receivedDateTime >= since));
  }

  /** Only the selected properties, and always the id (as $select does). */
  private project(m: FakeGraphMessage, select: string[] | null): Record<string, unknown> {
    const fields = select ?? ALL_FIELDS;
    return { '@odata.type': '#microsoft.graph.message', id: m.id, ...Object.fromEntries(fields.filter((f) => f in m).map((f) => [f, m[f as keyof FakeGraphMessage]])) };
  }
}
