import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { OAuthAccessError, OAuthAccessTokens } from '@modules/identity/contracts';
import { humanBytes } from '@modules/ingestion/application/import-messages/import-limits';
import { emailItem, MAX_EMAIL_BYTES } from '@modules/ingestion/application/import-files/email.reader';
import { toRow } from '@modules/ingestion/application/import-files/read-context';
import {
  GMAIL_PERMISSIONS,
  GMAIL_RECONNECT,
  GmailAuth,
  GmailClient,
  GmailError,
  GmailMessageRef,
  GmailRawMessage,
} from '@modules/ingestion/infrastructure/connectors/gmail.client';
import { ProviderHttpError } from '@modules/ingestion/infrastructure/connectors/provider-http';
import type { SourceRef } from '@modules/ingestion/infrastructure/message-writer';
import { Mapped, PullContext, SyncRunner, SyncRunnerDeps } from './sync-runner';

/** The one watermark of a Gmail source: cursorId is the history id incremental syncs start from. */
export const GMAIL_STREAM = 'mailbox';
export const DEFAULT_BACKFILL_DAYS = 90;
/** Raw messages fetched at once (Gmail's per-user quota is 250 units/s; messages.get costs 5). */
export const GMAIL_FETCH_CONCURRENCY = 8;
/** Labels never synced unless config.labelIds names them. */
const EXCLUDED_LABELS = ['SPAM', 'TRASH', 'DRAFT'];
/** Scopes that let messages.get answer format=raw (gmail.metadata does not). */
const READ_SCOPES = ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.modify', 'https://mail.google.com/'];
const LABEL_ID = /^[A-Za-z0-9_\-/ .]{1,225}$/;
const MAX_PAGES = 1_000_000;

/** A first (or full) sync in progress, kept in the watermark's meta so a killed one resumes at its page. */
export interface GmailBackfill {
  /** The mailbox's history id read BEFORE the walk: incremental syncs start there, so mail arriving meanwhile is not missed. */
  historyId: string;
  /** `after:` of the walk's query (epoch seconds), fixed for the whole walk (page tokens belong to their query). */
  after: number;
  /** Which of the walks (one per configured label, or one for the whole mailbox) is in progress. */
  walk: number;
  pageToken: string | null;
}

export interface GmailConfig {
  oauthAccountId: string;
  backfillDays: number;
  /** Labels to sync (one messages.list walk each: Google's labelIds filter means all of them at once); empty: every label but SPAM, TRASH and DRAFT. */
  labelIds: string[];
  query: string | null;
  pageSize: number;
}

/** A gmail source's config, checked (source creation answers 400 with these reasons). */
export function gmailConfigOf(config: Record<string, unknown>): { ok: true; value: GmailConfig } | { ok: false; errors: { field: string; message: string }[] } {
  const errors: { field: string; message: string }[] = [];
  const id = config.oauthAccountId;
  if (typeof id !== 'string' || !isUUID(id)) errors.push({ field: 'config.oauthAccountId', message: 'oauthAccountId must name a Google account you linked (its id in GET /api/v1/me/oauth-accounts)' });
  const days = config.backfillDays ?? DEFAULT_BACKFILL_DAYS;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) errors.push({ field: 'config.backfillDays', message: 'backfillDays must be a whole number of days from 1 to 3650' });
  const labels = config.labelIds ?? [];
  if (!Array.isArray(labels) || labels.length > 50 || labels.some((l) => typeof l !== 'string' || !LABEL_ID.test(l))) {
    errors.push({ field: 'config.labelIds', message: 'labelIds must be a list of Gmail label ids (INBOX, SENT, Label_12...), at most 50' });
  }
  const query = config.query ?? null;
  if (query !== null && (typeof query !== 'string' || query.length > 1000)) errors.push({ field: 'config.query', message: 'query must be a Gmail search (at most 1000 characters)' });
  const pageSize = config.pageSize ?? 100;
  if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) errors.push({ field: 'config.pageSize', message: 'pageSize must be from 1 to 500' });
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      oauthAccountId: id as string,
      backfillDays: days as number,
      labelIds: [...new Set(labels as string[])],
      query: typeof query === 'string' && query.trim() ? query.trim() : null,
      pageSize: pageSize as number,
    },
  };
}

/** The q of a backfill walk: the configured search, limited to the window. */
export function backfillQuery(cfg: Pick<GmailConfig, 'query'>, after: number): string {
  return cfg.query ? `${cfg.query} after:${after}` : `after:${after}`;
}

/** Whether a message (by its labels) belongs to what the source syncs. */
export function wanted(labelIds: string[] | undefined, cfg: Pick<GmailConfig, 'labelIds'>): boolean {
  const labels = labelIds ?? [];
  if (cfg.labelIds.length) return labels.some((l) => cfg.labelIds.includes(l));
  return !labels.some((l) => EXCLUDED_LABELS.includes(l));
}

/**
 * A Gmail message (format=raw) as a row, read by the import's email reader (charsets, dates,
 * HTML, attachments listed, threads from References) and completed with what Gmail knows:
 * externalId = Gmail's message id (history.list names messages by it), threadId = Gmail's thread
 * id, the labels and the flags they carry (UNREAD, STARRED, IMPORTANT, SENT, DRAFT), the internal
 * date; `metadata.gmail` keeps the ids (seed 004 emails.message_id / thread_id).
 */
export async function gmailRow(m: GmailRawMessage, maxEmailBytes = MAX_EMAIL_BYTES): Promise<Mapped> {
  const where = `Gmail message ${m.id}`;
  const bytes = Buffer.from(m.raw ?? '', 'base64url');
  if (bytes.length > maxEmailBytes) {
    return { kind: 'rejected', errors: [{ field: '', message: `${where} is ${humanBytes(bytes.length)}, more than the ${humanBytes(maxEmailBytes)} an email may have (IMPORT_EMAIL_MAX_MB)` }] };
  }
  const internal = m.internalDate && /^\d{1,15}$/.test(m.internalDate) ? new Date(Number(m.internalDate)) : null;
  let item: Record<string, unknown>;
  try {
    // Without a readable Date header the message's internal date (when Gmail received it) is its time.
    item = await emailItem(bytes, internal ? { now: internal } : {});
  } catch (err) {
    return { kind: 'rejected', errors: [{ field: '', message: `${where} is not a readable email: ${(err as Error).message.slice(0, 200)}` }] };
  }
  const labels = m.labelIds ?? [];
  const email = item.email as Record<string, unknown>;
  email.labels = labels;
  email.isUnread = labels.includes('UNREAD');
  email.isStarred = labels.includes('STARRED');
  email.isImportant = labels.includes('IMPORTANT');
  email.isSent = labels.includes('SENT');
  email.isDraft = labels.includes('DRAFT');
  if (internal) email.internalDate = internal.toISOString();
  const metadata = item.metadata as Record<string, unknown>;
  if (labels.includes('SPAM')) metadata.spamVerdict = 'spam';
  metadata.gmailThreadId = m.threadId;
  metadata.gmail = { messageId: m.id, threadId: m.threadId, historyId: m.historyId ?? null, labelIds: labels, internalDate: internal?.toISOString() ?? null };
  // The reader's isReply (References / In-Reply-To) stays: Gmail's thread says which thread, not who answered whom.
  item.externalId = m.id;
  item.threadId = m.threadId;
  const row = toRow(0, item, where);
  return 'message' in row ? { kind: 'message', message: row.message } : { kind: 'rejected', errors: row.parseError };
}

/** The linked account's token for the run: read once, refreshed once per rejection (concurrent rejections share it). */
class LinkedAccountAuth implements GmailAuth {
  private current: Promise<string> | null = null;
  private refreshing: Promise<string> | null = null;

  constructor(
    private readonly tokens: OAuthAccessTokens,
    private readonly accountId: string,
  ) {}

  token(): Promise<string> {
    this.current ??= this.load();
    return this.current;
  }

  async rejected(token: string): Promise<string> {
    const now = await this.token().catch(() => null);
    if (now !== null && now !== token) return now; // another request of this run refreshed it already
    this.refreshing ??= (async () => {
      try {
        const access = await this.tokens.refreshAfterRejection(this.accountId, token);
        return access.accessToken;
      } catch (err) {
        throw explainAccess(err);
      }
    })();
    this.current = this.refreshing;
    return this.refreshing;
  }

  private async load(): Promise<string> {
    let access;
    try {
      access = await this.tokens.accessFor(this.accountId);
    } catch (err) {
      throw explainAccess(err);
    }
    if (access.provider !== 'google') throw new GmailError('reconnect', `config.oauthAccountId names a ${access.provider} account: a gmail source reads a linked Google account`);
    // A token whose scopes are known and lack read access to Gmail: said before any call.
    if (access.scope !== null && !access.scope.split(/\s+/).some((s) => READ_SCOPES.includes(s))) throw new GmailError('permissions', GMAIL_PERMISSIONS);
    return access.accessToken;
  }
}

function explainAccess(err: unknown): Error {
  if (!(err instanceof OAuthAccessError)) return err as Error;
  switch (err.problem) {
    case 'not_linked':
      return new GmailError('reconnect', 'The Google account this source reads (config.oauthAccountId) is no longer linked: link it again under /api/v1/me/oauth-accounts and update the source\'s config.oauthAccountId');
    case 'reconnect_required':
      return new GmailError('reconnect', GMAIL_RECONNECT);
    default:
      return new Error('Google could not be reached to refresh the access token: the next run resumes from the watermark');
  }
}

export interface GmailRunnerOptions {
  maxEmailBytes?: number;
  concurrency?: number;
}

/**
 * Gmail pull sync (a `gmail` source reading a linked Google account, config.oauthAccountId; no
 * source credentials: the token comes from identity's OAuthAccessTokens, refreshed once on a 401).
 * One watermark, `mailbox`:
 * - first run (or a full resync): the profile's historyId is read FIRST, then messages.list walks
 *   `after:<now - backfillDays>` (and config.query; one walk per configured label), page by page;
 *   each page's messages not stored yet are fetched raw, a few in flight, parsed by the import's
 *   email reader, stored, and only then does the walk's page token move (kept in the watermark's
 *   meta: a killed backfill resumes at its page). When the walks end, cursorId = that historyId;
 * - later runs: history.list from cursorId (messageAdded, messageDeleted): new messages of the
 *   synced labels are fetched and stored, deleted ones are deleted (once); cursorId moves after
 *   each stored page, to the mailbox's historyId at the end;
 * - Google no longer has that history (404, about a week): the mailbox is walked again in full;
 *   stored messages are skipped without being fetched, so nothing is stored twice.
 * Ids: a message is its Gmail id, so a re-run or a resync stores nothing twice.
 */
export class GmailSyncRunner extends SyncRunner {
  readonly kind = 'gmail' as const;
  override readonly usesLinkedAccount = true;
  private readonly maxEmailBytes: number;
  private readonly concurrency: number;

  constructor(deps: SyncRunnerDeps, options: GmailRunnerOptions = {}) {
    super(deps);
    this.maxEmailBytes = options.maxEmailBytes ?? MAX_EMAIL_BYTES;
    this.concurrency = options.concurrency ?? GMAIL_FETCH_CONCURRENCY;
  }

  protected async pull(ctx: PullContext): Promise<void> {
    const parsed = gmailConfigOf(ctx.config);
    if (!parsed.ok) throw new Error(`The gmail source's config is not valid: ${parsed.errors.map((e) => e.message).join('; ')}`);
    const cfg = parsed.value;
    if (!this.deps.oauthTokens) throw new Error('Linked accounts are not available in this process: a gmail source is synced by the app');
    const client = new GmailClient(new LinkedAccountAuth(this.deps.oauthTokens, cfg.oauthAccountId), { ...ctx.http, apiBase: this.deps.gmailApiBase, signal: ctx.signal });
    const wm = await ctx.watermark(GMAIL_STREAM);
    const saved = (wm?.meta.backfill as GmailBackfill | undefined) ?? null;
    if (wm?.cursorId && !saved) {
      try {
        await this.incremental(ctx, client, cfg, wm.cursorId);
        return;
      } catch (err) {
        if (!(err instanceof GmailError && err.problem === 'history-expired')) throw err;
        this.logger.log({ sourceId: ctx.source.id }, 'Gmail history since the watermark is gone (404): full resync');
      }
    }
    const historyId = await this.backfill(ctx, client, cfg, saved);
    // What arrived while the walk ran, at once rather than at the next run.
    await this.incremental(ctx, client, cfg, historyId);
  }

  private async backfill(ctx: PullContext, client: GmailClient, cfg: GmailConfig, saved: GmailBackfill | null): Promise<string> {
    const walks: (string | null)[] = cfg.labelIds.length ? cfg.labelIds : [null];
    const b: GmailBackfill = saved ?? {
      historyId: (await client.profile()).historyId,
      after: Math.floor(ctx.now().getTime() / 1000) - cfg.backfillDays * 86_400,
      walk: 0,
      pageToken: null,
    };
    const mark = (w: GmailBackfill) => ({ stream: GMAIL_STREAM, update: { cursorId: null, cursorTs: null, meta: { backfill: { ...w } } } });
    if (!saved) await ctx.commit({ mapped: [], watermarks: [mark(b)] });
    for (; b.walk < walks.length; b.walk++, b.pageToken = null) {
      const label = walks[b.walk];
      const opts = { q: backfillQuery(cfg, b.after), labelIds: label ? [label] : undefined, maxResults: cfg.pageSize };
      // The next page is listed and fetched while this one is stored (the database works in parallel with the parsing).
      const fetchPage = async (token: string | null, resumed: boolean) => {
        const page = await this.listPage(client, opts, token, resumed);
        return { page, mapped: await this.rows(ctx, client, page.messages, cfg, label === null) };
      };
      let pending = fetchPage(b.pageToken, b.pageToken !== null);
      for (let n = 0; n < MAX_PAGES; n++) {
        const { page, mapped } = await pending;
        if (ctx.signal?.aborted) throw new Error('aborted');
        b.pageToken = page.nextPageToken;
        if (b.pageToken) {
          pending = fetchPage(b.pageToken, false);
          // Awaited on the next turn; a failed commit must not leave it unhandled.
          pending.catch(() => undefined);
        }
        // The page is stored, then the walk moves past it: to its next page, the next walk, or (the last page of the last walk) incremental.
        const update = b.pageToken
          ? mark(b)
          : b.walk + 1 < walks.length
            ? mark({ ...b, walk: b.walk + 1, pageToken: null })
            : { stream: GMAIL_STREAM, update: { cursorId: b.historyId, cursorTs: ctx.now().toISOString(), meta: {} } };
        await ctx.commit({ mapped, watermarks: [update] });
        if (!b.pageToken) break;
      }
    }
    return b.historyId;
  }

  /** A page of the walk; a saved page token Google no longer takes (400) restarts that walk at its first page (stored messages are skipped). */
  private async listPage(client: GmailClient, opts: { q: string; labelIds?: string[]; maxResults: number }, pageToken: string | null, resumed: boolean) {
    try {
      return await client.list({ ...opts, pageToken });
    } catch (err) {
      if (!(err instanceof ProviderHttpError && err.status === 400 && resumed)) throw err;
      return client.list({ ...opts, pageToken: null });
    }
  }

  private async incremental(ctx: PullContext, client: GmailClient, cfg: GmailConfig, start: string): Promise<void> {
    let pageToken: string | null = null;
    for (let n = 0; n < MAX_PAGES; n++) {
      if (ctx.signal?.aborted) throw new Error('aborted');
      const page = await client.history(start, pageToken);
      const added = new Map<string, GmailMessageRef>();
      const deleted = new Set<string>();
      for (const h of page.history) {
        for (const a of h.messagesAdded ?? []) if (a.message?.id && wanted(a.message.labelIds, cfg)) added.set(a.message.id, a.message);
        for (const d of h.messagesDeleted ?? []) if (d.message?.id) deleted.add(d.message.id);
      }
      // New messages first (a message added and deleted within the page is stored, then deleted).
      await ctx.commit({ mapped: await this.rows(ctx, client, [...added.values()], cfg, false), watermarks: [] });
      await this.deleteStored(ctx.source, [...deleted], ctx.now());
      pageToken = page.nextPageToken;
      const next = pageToken ? (page.history.at(-1)?.id ?? null) : page.historyId;
      if (next) await ctx.commit({ mapped: [], watermarks: [{ stream: GMAIL_STREAM, update: { cursorId: next, cursorTs: ctx.now().toISOString(), meta: {} } }] });
      if (!pageToken) break;
    }
  }

  /**
   * Rows for message references, in their order: stored ones skipped without a fetch, the others
   * fetched raw (at most `concurrency` in flight) and mapped; gone meanwhile: skipped.
   */
  private async rows(ctx: PullContext, client: GmailClient, refs: GmailMessageRef[], cfg: GmailConfig, filterLabels: boolean): Promise<Mapped[]> {
    const unique = [...new Map(refs.map((r) => [r.id, r])).values()];
    const stored = await this.storedIds(ctx.source, unique.map((r) => r.id));
    const todo = unique.filter((r) => !stored.has(r.id));
    const fetched = new Map<string, Mapped>();
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const ref = todo[next++];
        let m;
        try {
          m = await client.raw(ref.id);
        } catch (err) {
          // An answer too large to read (CONNECTOR_MAX_RESPONSE_BYTES) or unreadable: this message alone is rejected, the sync goes on.
          if (!(err instanceof ProviderHttpError && err.status !== null && err.status < 300)) throw err;
          fetched.set(ref.id, { kind: 'rejected', errors: [{ field: '', message: `Gmail message ${ref.id} could not be read: ${err.message}` }] });
          continue;
        }
        if (!m) fetched.set(ref.id, { kind: 'skipped', reason: 'deleted from Gmail before it was fetched' });
        // messages.list answers no labels: spam, trash and drafts are told once the message is fetched.
        else if (filterLabels && !wanted(m.labelIds, cfg)) fetched.set(ref.id, { kind: 'skipped', reason: 'a draft, spam or trash' });
        else fetched.set(ref.id, await gmailRow(m, this.maxEmailBytes));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, todo.length) }, worker));
    return unique.map((r) => (stored.has(r.id) ? { kind: 'skipped', reason: 'already stored' } : fetched.get(r.id)!));
  }

  /** Which of these Gmail ids this source has stored (deleted or not). */
  private async storedIds(source: SourceRef, gmailIds: string[]): Promise<Set<string>> {
    if (gmailIds.length === 0) return new Set();
    const r = await this.deps.pool.query<{ external_id: string }>(`SELECT external_id FROM ingestion_messages_view WHERE source_id = $1 AND id = ANY($2::uuid[])`, [
      source.id,
      gmailIds.map((x) => this.deps.writer.messageIdOf(source.id, x)),
    ]);
    return new Set(r.rows.map((x) => x.external_id));
  }

  /** Deletes the stored, not yet deleted messages among these ids (a repeated history page deletes nothing twice). */
  private async deleteStored(source: SourceRef, gmailIds: string[], now: Date): Promise<void> {
    if (gmailIds.length === 0) return;
    const r = await this.deps.pool.query<{ external_id: string }>(`SELECT external_id FROM ingestion_messages_view WHERE source_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`, [
      source.id,
      gmailIds.map((x) => this.deps.writer.messageIdOf(source.id, x)),
    ]);
    const write = { importJobId: null, actorId: 'sync:gmail', correlationId: uuidv7() };
    for (const { external_id } of r.rows) await this.deps.writer.change(source, external_id, 'ingestion.message-deleted', { deletedAt: now.toISOString() }, write);
  }
}
