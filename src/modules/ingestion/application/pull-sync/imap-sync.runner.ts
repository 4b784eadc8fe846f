import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { humanBytes } from '@modules/ingestion/application/import-messages/import-limits';
import { emailItem, MAX_EMAIL_BYTES, sniffMessageId } from '@modules/ingestion/application/import-files/email.reader';
import { toRow } from '@modules/ingestion/application/import-files/read-context';
import { connectImap, describeImapError, ImapConnectorError } from '@modules/ingestion/infrastructure/connectors/imap.client';
import { Mapped, PullContext, SyncRunner, SyncRunnerDeps } from './sync-runner';

export const folderStream = (folder: string) => `folder:${folder}`;

/** Messages per stored page. */
export const IMAP_BATCH = 100;
/** Raw mail fetched at once within a page (a single bigger message is fetched alone). */
const PAGE_BYTES = 16 * 1024 * 1024;

/** What a folder's watermark keeps besides the last stored UID (cursorId). */
interface FolderMark {
  uidValidity: string;
}

export interface ImapRunnerOptions {
  batchSize?: number;
  /** Largest message read (IMPORT_EMAIL_MAX_MB as for imports): a bigger one is a rejected row naming its size. */
  maxEmailBytes?: number;
  connectTimeoutMs?: number;
}

/**
 * IMAP pull sync (any server, imapflow). Per folder of `config.folders` (default INBOX), the
 * watermark is the folder's UIDVALIDITY and the last stored UID:
 * - first run: every message (or those since `config.since`, the server's SEARCH SINCE, which
 *   holds on later runs too);
 * - later runs: UIDs above the watermark only;
 * - a UIDVALIDITY other than the stored one (the mailbox was recreated, the server renumbered):
 *   the UIDs mean nothing any more, so the folder is read again from its start. Nothing is
 *   doubled: a message's id is its Message-ID (else the hash of its header block), as for imports,
 *   so a message already stored is a duplicate whatever its new UID.
 * Messages are fetched a page at a time in UID order (sizes first: a message over the email limit
 * is rejected without being downloaded), parsed by the import's email reader (charsets, dates,
 * threads from References/In-Reply-To), stored, and only then does the watermark move: a killed
 * run repeats at most one page, which stores nothing new. The folder is opened read-only (no
 * \Seen flag is set by the sync).
 */
export class ImapSyncRunner extends SyncRunner {
  readonly kind = 'imap' as const;
  private readonly batchSize: number;
  private readonly maxEmailBytes: number;
  private readonly connectTimeoutMs: number;

  constructor(deps: SyncRunnerDeps, options: ImapRunnerOptions = {}) {
    super(deps);
    this.batchSize = options.batchSize ?? IMAP_BATCH;
    this.maxEmailBytes = options.maxEmailBytes ?? MAX_EMAIL_BYTES;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  }

  protected async pull(ctx: PullContext): Promise<void> {
    const folders = foldersOf(ctx.config);
    const since = sinceOf(ctx.config);
    const client = await connectImap(ctx.credentials, { guard: ctx.http.guard, timeoutMs: this.connectTimeoutMs, maxLiteralBytes: this.maxEmailBytes + 64 * 1024 });
    // A stop (shutdown, lost lease, a test) cuts the fetch in flight: the watermark stays at the last stored page.
    const stop = () => client.close();
    ctx.signal?.addEventListener('abort', stop, { once: true });
    try {
      const existing = new Set((await imap(client.list())).map((m) => m.path));
      for (const folder of folders) {
        if (!existing.has(folder)) throw new ImapConnectorError('folder-missing', `the folder "${folder}" does not exist on the IMAP server: fix config.folders (the folders are: ${[...existing].slice(0, 20).join(', ')})`);
      }
      for (const folder of folders) await this.folder(ctx, client, folder, since);
      await client.logout().catch(() => undefined);
    } finally {
      ctx.signal?.removeEventListener('abort', stop);
      client.close();
    }
  }

  private async folder(ctx: PullContext, client: ImapFlow, folder: string, since: Date | null): Promise<void> {
    const stream = folderStream(folder);
    const box = await imap(client.mailboxOpen(folder, { readOnly: true }));
    const uidValidity = String(box.uidValidity);
    const wm = await ctx.watermark(stream);
    const known = wm && (wm.meta as Partial<FolderMark>).uidValidity === uidValidity;
    const last = known ? Number(wm.cursorId ?? 0) : 0;
    if (wm && !known) this.logger.log({ sourceId: ctx.source.id, folder }, 'UIDVALIDITY changed: the folder is read again (stored messages are duplicates)');
    if (box.exists === 0) {
      if (!known) await ctx.commit({ mapped: [], watermarks: [{ stream, update: { cursorId: '0', cursorTs: null, meta: { uidValidity } } }] });
      return;
    }
    // Every UID above the watermark; with `since`, only mail the server received since then (a resumed first pass too).
    const criteria = { uid: `${last + 1}:*`, ...(since ? { since } : {}) };
    const found = await imap(client.search(criteria, { uid: true }));
    // `n:*` answers the highest UID even when it is below n.
    const uids = (found || []).filter((u) => u > last).sort((a, b) => a - b);
    for (let i = 0; i < uids.length; i += this.batchSize) {
      if (ctx.signal?.aborted) throw new Error('aborted');
      const page = uids.slice(i, i + this.batchSize);
      const mapped = await imap(this.page(client, folder, uidValidity, page));
      await ctx.commit({ mapped, watermarks: [{ stream, update: { cursorId: String(page[page.length - 1]), cursorTs: ctx.now().toISOString(), meta: { uidValidity } } }] });
    }
    if (uids.length === 0 && !known) await ctx.commit({ mapped: [], watermarks: [{ stream, update: { cursorId: String(last), cursorTs: null, meta: { uidValidity } } }] });
  }

  /**
   * One page of UIDs as rows, in UID order: sizes first, then the sources of those within the
   * limit, fetched in groups of at most PAGE_BYTES and parsed group by group, so the raw mail held
   * at once stays bounded whatever the messages' sizes.
   */
  private async page(client: ImapFlow, folder: string, uidValidity: string, uids: number[]): Promise<Mapped[]> {
    const sizes = new Map<number, number>();
    for await (const m of client.fetch(uidSet(uids), { uid: true, size: true }, { uid: true })) sizes.set(m.uid, m.size ?? 0);
    const byUid = new Map<number, Mapped>();
    const wanted = uids.filter((u) => sizes.has(u) && sizes.get(u)! <= this.maxEmailBytes);
    for (const group of groupsOfBytes(wanted, sizes, PAGE_BYTES)) {
      const fetched: FetchMessageObject[] = [];
      for await (const m of client.fetch(uidSet(group), { uid: true, source: true, flags: true, internalDate: true }, { uid: true })) fetched.push(m);
      for (const m of fetched) if (m.source) byUid.set(m.uid, await this.row(m, m.source, folder, uidValidity, `UID ${m.uid} of folder ${folder}`));
    }
    const rows: Mapped[] = [];
    for (const uid of uids) {
      const size = sizes.get(uid);
      // Expunged between the search and the fetch: nothing to store.
      if (size === undefined) continue;
      if (size > this.maxEmailBytes) {
        rows.push({ kind: 'rejected', errors: [{ field: '', message: `UID ${uid} of folder ${folder} is ${humanBytes(size)}, more than the ${humanBytes(this.maxEmailBytes)} an email may have (IMPORT_EMAIL_MAX_MB)` }] });
        continue;
      }
      const row = byUid.get(uid);
      if (row) rows.push(row);
    }
    return rows;
  }

  private async row(m: FetchMessageObject, source: Buffer, folder: string, uidValidity: string, where: string): Promise<Mapped> {
    let item: Record<string, unknown>;
    try {
      item = await emailItem(source);
    } catch (err) {
      const id = sniffMessageId(source);
      return { kind: 'rejected', errors: [{ field: '', message: `${where}${id ? ` (${id})` : ''} is not a readable email: ${(err as Error).message.slice(0, 200)}` }] };
    }
    const flags = m.flags ?? new Set<string>();
    const email = item.email as Record<string, unknown>;
    // The server's flags say more than headers can: read, starred, draft; the folder is its label.
    email.isUnread = !flags.has('\\Seen');
    email.isStarred = flags.has('\\Flagged');
    email.isDraft = email.isDraft === true || flags.has('\\Draft');
    if (!(email.labels as string[]).length) email.labels = [folder];
    const internalDate = m.internalDate instanceof Date ? m.internalDate : m.internalDate ? new Date(m.internalDate) : null;
    if (internalDate && !Number.isNaN(internalDate.getTime())) email.internalDate = internalDate.toISOString();
    item.metadata = { ...(item.metadata as Record<string, unknown>), imap: { folder, uid: m.uid, uidValidity } };
    const row = toRow(0, item, where);
    return 'message' in row ? { kind: 'message', message: row.message } : { kind: 'rejected', errors: row.parseError };
  }
}

/** `config.folders` (default INBOX): folder paths as the server names them. */
export function foldersOf(config: Record<string, unknown>): string[] {
  const v = config.folders;
  // INBOX is case-insensitive (RFC 3501): any spelling is the server's INBOX.
  const list = Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string' && f.trim() !== '').map((f) => (f.trim().toUpperCase() === 'INBOX' ? 'INBOX' : f.trim())) : [];
  return list.length ? [...new Set(list)] : ['INBOX'];
}

/** `config.since` (a date): where the first pass of each folder starts. */
export function sinceOf(config: Record<string, unknown>): Date | null {
  const v = config.since;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return null;
  return new Date(v);
}

/** Ascending UIDs as an IMAP sequence set with ranges (`1:100,105,110:112`). */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** An IMAP step whose failure is said in fixed words (never the server's text); storage errors stay outside. */
async function imap<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    throw describeImapError(err);
  }
}

/** Consecutive groups of UIDs whose sizes add up to at most `budget` bytes (a bigger message alone). */
export function groupsOfBytes(uids: number[], sizes: Map<number, number>, budget: number): number[][] {
  const groups: number[][] = [];
  let group: number[] = [];
  let bytes = 0;
  for (const uid of uids) {
    const size = sizes.get(uid) ?? 0;
    if (group.length && bytes + size > budget) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(uid);
    bytes += size;
  }
  if (group.length) groups.push(group);
  return groups;
}
