import { v7 as uuidv7 } from 'uuid';
import { OAuthAccess, OAuthAccessError } from '@modules/identity/contracts';
import { GraphDeltaPage, GraphMailClient, GraphMailError } from '@modules/ingestion/infrastructure/connectors/graph-mail.client';
import type { WriteContext } from '@modules/ingestion/infrastructure/message-writer';
import { mapGraphMessage } from './graph-mail.mapper';
import { Microsoft365SyncError } from './microsoft365-sync.error';
import { Mapped, PullContext, SyncRunner } from './sync-runner';

export const m365FolderStream = (folder: string) => `folder:${folder}`;
export const M365_DEFAULT_FOLDERS = ['inbox', 'sentitems'];
/** Messages per delta page (Prefer: odata.maxpagesize); Graph's own default is 10. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGES = 100_000;

/** What a folder's watermark keeps: the link to call next (a nextLink mid-round, else the deltaLink). */
interface FolderMark {
  link: string;
  /** The link is a nextLink: a round is in progress (a killed run resumes at its page). */
  paging: boolean;
  /** The linked account the link belongs to (a delta token is the mailbox's). */
  account: string;
}

/** A failure the user can act on: what to do, never Graph's own text. */
/**
 * Microsoft 365 mail (a `microsoft365` source: config { oauthAccountId, folders?, backfillDays? }),
 * through Graph delta queries per folder (default inbox and sentitems):
 * - the first round GETs /me/mailFolders/{folder}/messages/delta ($select of the stored fields,
 *   receivedDateTime ge now - backfillDays when given) and follows each @odata.nextLink; the
 *   round ends with an @odata.deltaLink, the folder's watermark, from which the next run gets only
 *   what changed since;
 * - each page is stored, THEN the link to call next (nextLink mid-round, deltaLink at its end) is
 *   the watermark: a killed run resumes at the page it was on, and a page read twice stores
 *   nothing new (the external id is Graph's immutable message id);
 * - `@removed` entries are applied as deletions (message-deleted, as the Slack pull does);
 * - 410 Gone (the delta token expired, syncStateNotFound): the folder is read again from a new
 *   round; what is stored already is a duplicate, so nothing is doubled;
 * - the token is the linked account's (identity's OAuthAccessTokens): refreshed once on a 401,
 *   then the run fails asking to connect the account again. 429: the Graph client's RetryHandler
 *   waits Retry-After (up to the connectors' cap), then the run fails and the next resumes.
 */
export class Microsoft365SyncRunner extends SyncRunner {
  readonly kind = 'microsoft365' as const;
  override readonly usesLinkedAccount = true;

  protected async pull(ctx: PullContext): Promise<void> {
    const accountId = typeof ctx.config.oauthAccountId === 'string' ? ctx.config.oauthAccountId : null;
    if (!accountId) throw new Microsoft365SyncError('This Microsoft 365 source names no linked account (config.oauthAccountId): link a Microsoft account and set it');
    const oauth = this.deps.oauthTokens;
    if (!oauth) throw new Microsoft365SyncError('Linked accounts are not available in this process', 'invalid_config');
    let access = await this.access(() => oauth.accessFor(accountId));
    const client = new GraphMailClient({ ...ctx.http, apiBase: this.deps.graphApiBase, signal: ctx.signal });
    const write: WriteContext = { importJobId: null, actorId: 'sync:microsoft365', correlationId: uuidv7() };
    let deletions = 0;

    /** One call with the current token; on a 401 one refresh and one more try, then "connect again". */
    const call = async (fn: (token: string) => Promise<GraphDeltaPage>): Promise<GraphDeltaPage> => {
      try {
        return await fn(access.accessToken);
      } catch (err) {
        if (!(err instanceof GraphMailError && err.status === 401)) throw err;
        const rejected = access.accessToken;
        access = await this.access(() => oauth.refreshAfterRejection(accountId, rejected));
        try {
          return await fn(access.accessToken);
        } catch (again) {
          if (again instanceof GraphMailError && again.status === 401) throw reconnect();
          throw again;
        }
      }
    };

    for (const folder of foldersOf(ctx.config)) {
      const stream = m365FolderStream(folder);
      const wm = await ctx.watermark(stream);
      const mark = wm?.meta as Partial<FolderMark> | undefined;
      // A link of another account (config.oauthAccountId changed) or another GRAPH_API_BASE_URL means nothing here: a new round.
      let link = typeof mark?.link === 'string' && mark.account === accountId && mark.link.startsWith(`${client.apiBase}/`) ? mark.link : null;
      let resynced = false;
      for (let n = 0; n < MAX_PAGES; n++) {
        let page: GraphDeltaPage;
        try {
          const from = link;
          page = await call((token) => (from ? client.follow(token, from, pageSize(ctx.config)) : client.firstPage(token, folder, { pageSize: pageSize(ctx.config), receivedSince: receivedSince(ctx.config, ctx.now()) })));
        } catch (err) {
          // The delta state expired (410 Gone, syncStateNotFound...): a new round from the start, once per run.
          if (err instanceof GraphMailError && err.status === 410 && link && !resynced) {
            this.logger.log({ sourceId: ctx.source.id, folder }, 'microsoft365 delta token expired: the folder is read again');
            resynced = true;
            link = null;
            continue;
          }
          throw describe(err, folder);
        }
        const mapped: Mapped[] = [];
        const removed: string[] = [];
        for (const m of page.value) {
          if (m['@removed']) {
            removed.push(m.id);
            mapped.push({ kind: 'skipped', reason: `removed from ${folder} (${m['@removed'].reason ?? 'deleted'})` });
          } else mapped.push(mapGraphMessage(m, folder));
        }
        // Only stored messages not deleted yet: a page read again (resumed, resynced) appends nothing.
        for (const id of await this.live(ctx, removed)) {
          if (await this.deps.writer.change(ctx.source, id, 'ingestion.message-deleted', { deletedAt: ctx.now().toISOString() }, write)) deletions++;
        }
        const next = page.nextLink ?? page.deltaLink!;
        await ctx.commit({ mapped, watermarks: [{ stream, update: { cursorTs: page.nextLink ? (wm?.cursorTs ?? null) : ctx.now().toISOString(), cursorId: null, meta: { link: next, paging: Boolean(page.nextLink), account: accountId } satisfies FolderMark } }] });
        if (!page.nextLink) break;
        link = page.nextLink;
      }
    }
    if (deletions) this.logger.log({ sourceId: ctx.source.id, deletions }, 'microsoft365 sync applied deletions');
  }

  private async live(ctx: PullContext, externalIds: string[]): Promise<string[]> {
    if (externalIds.length === 0) return [];
    const r = await this.deps.pool.query<{ external_id: string }>(
      `SELECT external_id FROM ingestion_messages_view WHERE source_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [ctx.source.id, externalIds.map((x) => this.deps.writer.messageIdOf(ctx.source.id, x))],
    );
    return r.rows.map((x) => x.external_id);
  }

  private async access(get: () => Promise<OAuthAccess>): Promise<OAuthAccess> {
    try {
      const access = await get();
      if (access.provider !== 'microsoft') throw new Microsoft365SyncError('config.oauthAccountId names a linked account that is not a Microsoft account: link a Microsoft account and set its id');
      return access;
    } catch (err) {
      if (!(err instanceof OAuthAccessError)) throw err;
      if (err.problem === 'not_linked') throw new Microsoft365SyncError('The Microsoft account this source reads is no longer linked: link it again (POST /api/v1/me/oauth-accounts) and set config.oauthAccountId');
      if (err.problem === 'reconnect_required') throw reconnect();
      throw new Microsoft365SyncError('Microsoft sign-in could not be reached to get an access token; the next run retries', 'unreachable');
    }
  }
}

const reconnect = () => new Microsoft365SyncError('Microsoft refused the access token of the linked account (expired or revoked): connect the Microsoft account again; the next run resumes from the watermark');

/** A Graph failure as what to do about it. */
function describe(err: unknown, folder: string): unknown {
  if (!(err instanceof GraphMailError)) return err;
  switch (true) {
    case err.status === 403 && err.code === 'ErrorQuotaExceeded':
      return new Microsoft365SyncError(`Microsoft refused to track changes of folder ${folder}: the mailbox is over its storage quota; free some space, the next run resumes`);
    case err.status === 403:
      return new Microsoft365SyncError(`Microsoft denied access to the mail of folder ${folder} (403): the linked account lacks the Mail.Read permission; connect the Microsoft account again granting mail access`);
    case err.status === 404:
      return new Microsoft365SyncError(`The mail folder ${folder} does not exist in this mailbox (404): fix config.folders (well-known names such as inbox, sentitems, archive, or folder ids)`);
    case err.status === 429:
      return new Microsoft365SyncError(`Microsoft Graph is throttling this mailbox (429) beyond the waits allowed: the next run resumes from the watermark`);
    case err.transient:
      return new Microsoft365SyncError(err.message.includes('next run') ? err.message : `${err.message}; the next run resumes from the watermark`);
    default:
      return err;
  }
}

function foldersOf(config: Record<string, unknown>): string[] {
  const given = Array.isArray(config.folders) ? config.folders.filter((f): f is string => typeof f === 'string' && f !== '') : [];
  return given.length ? [...new Set(given)] : M365_DEFAULT_FOLDERS;
}

/** config.backfillDays: how far back a first round reads (receivedDateTime); all mail when absent. */
function receivedSince(config: Record<string, unknown>, now: Date): string | null {
  const d = Number(config.backfillDays);
  return Number.isFinite(d) && d > 0 ? new Date(now.getTime() - d * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

/** config.pageSize (1-1000). */
function pageSize(config: Record<string, unknown>): number {
  const n = Number(config.pageSize);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : DEFAULT_PAGE_SIZE;
}
