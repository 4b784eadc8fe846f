import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { SlackApiError, SlackApiMessage, SlackChannel, SlackPage, SlackWebClient } from '@modules/ingestion/infrastructure/connectors/slack-web.client';
import type { SourceRef, WriteContext } from '@modules/ingestion/infrastructure/message-writer';
import { isoFromEpochSeconds } from '@modules/ingestion/application/webhooks/webhook-actions';
import { mapSlack, slackExternalId } from '@modules/ingestion/application/webhooks/slack.mapper';
import { PullSyncError, PullSyncErrorCode } from './pull-sync.errors';
import { fromAction, Mapped, PullContext, PullSource, SyncHandle, SyncRunner } from './sync-runner';

export const slackChannelStream = (channel: string) => `channel:${channel}`;
export const slackThreadStream = (channel: string, threadTs: string) => `thread:${channel}:${threadTs}`;

/** How far behind its watermark a run reads a channel again, to see edits and deletions (config.revisitHours). */
const DEFAULT_REVISIT_HOURS = 24 * 7;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,30}$/;
const MAX_PAGES = 100_000;

/** A history walk in progress, kept in the channel's watermark meta so a killed run resumes at its page. */
interface HistoryWalk {
  /** Messages after this ts (exclusive) are read; null on a first backfill. */
  oldest: string | null;
  /** The page to read next (Slack's cursor); null for the first page. */
  cursor: string | null;
  /** Newest ts seen by this walk so far: the channel's watermark once the walk ends. */
  top: string | null;
  /** Started by an earlier (killed) run: what it saw is not known, so no deletion is inferred. */
  resumed?: boolean;
}

interface Change {
  kind: 'edit' | 'delete';
  externalId: string;
  content?: string;
  at: string;
}

/**
 * Slack history pull (a slack source with credentials.botToken).
 * - Channels: config.channels (ids) when given, else every channel the bot is a member of
 *   (users.conversations, cursor-paged).
 * - Per channel a watermark `channel:<id>` whose cursorId is the newest ts stored. A run reads
 *   conversations.history after (watermark - revisit window), newest first by Slack's cursor;
 *   the page cursor is kept in the watermark's meta after each stored page, and the cursorId
 *   moves only when the walk reached its end: a killed run resumes at the page it was on.
 * - Messages go through the webhook's mapper (mapSlack), so a message pulled and the same one
 *   received by the Events API have one external id (`<channel>:<ts>`) and are one message.
 *   Authors' names come from users.info, cached for the run.
 * - Threads whose parent shows another reply count or latest reply than their
 *   `thread:<channel>:<ts>` watermark recorded (replies added or removed) are read whole with
 *   conversations.replies, cursor-paged; a reply edited in a thread that did not otherwise
 *   change is not seen (the parent does not show it).
 * - Within the window read again: a changed text is an edit, a tombstone or a stored message
 *   missing from a complete walk (or a complete thread) is a deletion - appended as the
 *   webhook path does (message-edited / message-deleted), only when something changed.
 * Rate limits and errors: SlackWebClient (429 Retry-After waited up to a cap, then the run
 * fails and the next resumes; errors say what to do).
 */
export class SlackSyncRunner extends SyncRunner {
  readonly kind = 'slack' as const;

  /** A slack source without a bot token only receives webhooks: not synced, refused before any job starts. */
  override async open(source: PullSource, opts: { meta: CommandMetadata; jobId?: string }): Promise<SyncHandle> {
    const creds = source.kind === 'slack' ? this.deps.credentials.open(source.id, source.credentialsCiphertext) : null;
    if (source.kind === 'slack' && !creds?.botToken) {
      throw new PullSyncError(PullSyncErrorCode.NotSupported, 'This Slack source has no bot token (credentials.botToken): it receives Events API webhooks only; add a bot token with channels:history, groups:history, channels:read, groups:read and users:read to pull its history', { kind: 'slack' });
    }
    return super.open(source, opts);
  }

  protected async pull(ctx: PullContext): Promise<void> {
    const client = new SlackWebClient(ctx.credentials.botToken, { ...ctx.http, apiBase: this.deps.slackApiBase, signal: ctx.signal });
    const run = new SlackRun(ctx, client, this, teamIdOf(ctx.config));
    for (const channel of await this.channels(ctx, client)) await run.channel(channel);
    if (run.changes) this.logger.log({ sourceId: ctx.source.id, changes: run.changes }, 'slack sync applied edits and deletions');
  }

  private async channels(ctx: PullContext, client: SlackWebClient): Promise<SlackChannel[]> {
    const chosen = Array.isArray(ctx.config.channels) ? ctx.config.channels.filter((c): c is string => typeof c === 'string' && CHANNEL_ID.test(c)) : [];
    if (chosen.length) return [...new Set(chosen)].map((id) => ({ id, name: null }));
    const out: SlackChannel[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await client.memberChannels(cursor);
      out.push(...page.items.filter((c) => CHANNEL_ID.test(c.id)));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return out;
  }

  /** The stored state of these messages of the source (content, deleted or not). */
  async current(source: SourceRef, externalIds: string[]): Promise<Map<string, { content: string; deleted: boolean }>> {
    if (externalIds.length === 0) return new Map();
    const r = await this.deps.pool.query<{ external_id: string; content: string; deleted_at: string | null }>(
      `SELECT external_id, content, deleted_at FROM ingestion_messages_view WHERE source_id = $1 AND id = ANY($2::uuid[])`,
      [source.id, externalIds.map((x) => this.deps.writer.messageIdOf(source.id, x))],
    );
    return new Map(r.rows.map((x) => [x.external_id, { content: x.content, deleted: x.deleted_at !== null }]));
  }

  /** Stored, not deleted messages of a channel (external id and thread id), for deletions inferred from a complete walk. */
  async live(source: SourceRef, channel: string): Promise<{ externalId: string; threadId: string | null }[]> {
    const r = await this.deps.pool.query<{ external_id: string; thread_id: string | null }>(
      `SELECT external_id, thread_id FROM ingestion_messages_view
        WHERE source_id = $1 AND workspace_id = $2 AND left(external_id, length($3)) = $3 AND deleted_at IS NULL`,
      [source.id, source.workspaceId, `${channel}:`],
    );
    return r.rows.map((x) => ({ externalId: x.external_id, threadId: x.thread_id }));
  }

  async apply(source: SourceRef, changes: Change[], ctx: WriteContext): Promise<number> {
    let applied = 0;
    for (const c of changes) {
      const ok =
        c.kind === 'edit'
          ? await this.deps.writer.change(source, c.externalId, 'ingestion.message-edited', { content: c.content ?? '', editedAt: c.at }, ctx)
          : await this.deps.writer.change(source, c.externalId, 'ingestion.message-deleted', { deletedAt: c.at }, ctx);
      if (ok) applied++;
    }
    return applied;
  }
}

/** One run's state: the user-name cache and the changes applied. */
class SlackRun {
  private readonly names = new Map<string, string | null>();
  changes = 0;
  private readonly write: WriteContext;

  constructor(
    private readonly ctx: PullContext,
    private readonly client: SlackWebClient,
    private readonly runner: SlackSyncRunner,
    private readonly teamId: string | null,
  ) {
    this.write = { importJobId: null, actorId: 'sync:slack', correlationId: uuidv7() };
  }

  async channel(channel: SlackChannel): Promise<void> {
    const stream = slackChannelStream(channel.id);
    const wm = await this.ctx.watermark(stream);
    const latest = wm?.cursorId ?? null;
    const saved = wm?.meta.walk as HistoryWalk | undefined;
    const walk: HistoryWalk = saved
      ? { ...saved, resumed: true }
      : { oldest: latest ? minusSeconds(latest, revisitSeconds(this.ctx.config)) : backfillOldest(this.ctx.config, this.ctx.now()), cursor: null, top: latest };
    const seen = new Set<string>();
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await this.historyPage(channel, walk);
      for (const m of page.items) seen.add(m.ts);
      // Threads first: the page's watermark must not pass a parent whose replies are not stored.
      for (const parent of page.items.filter(hasReplies)) await this.thread(channel, parent);
      const { mapped, changes } = await this.map(channel, page.items);
      for (const m of page.items) if (!walk.top || tsAfter(m.ts, walk.top)) walk.top = m.ts;
      walk.cursor = page.nextCursor;
      this.changes += await this.runner.apply(this.ctx.source, changes, this.write);
      await this.ctx.commit({ mapped, watermarks: [{ stream, update: { cursorId: latest, cursorTs: wm?.cursorTs ?? null, meta: walk.cursor ? { walk } : {} } }] });
      if (!walk.cursor) break;
    }
    if (!walk.resumed) {
      // A complete walk: top-level messages stored in its range that Slack no longer has were deleted.
      const gone = (await this.runner.live(this.ctx.source, channel.id)).filter((x) => {
        const ts = x.externalId.slice(channel.id.length + 1);
        const topLevel = x.threadId === null || x.threadId === x.externalId;
        return topLevel && !seen.has(ts) && (!walk.oldest || tsAfter(ts, walk.oldest)) && walk.top !== null && !tsAfter(ts, walk.top);
      });
      this.changes += await this.runner.apply(this.ctx.source, gone.map((x) => ({ kind: 'delete', externalId: x.externalId, at: this.ctx.now().toISOString() })), this.write);
    }
    await this.ctx.commit({ mapped: [], watermarks: [{ stream, update: { cursorId: walk.top, cursorTs: walk.top ? isoFromEpochSeconds(walk.top) : null, meta: {} } }] });
  }

  /** A page of the walk; a saved cursor Slack no longer takes (invalid_cursor) restarts the walk from its first page. */
  private async historyPage(channel: SlackChannel, walk: HistoryWalk): Promise<SlackPage<SlackApiMessage>> {
    try {
      return await this.client.history(channel.id, walk.oldest, walk.cursor, pageSize(this.ctx.config));
    } catch (err) {
      if (!(err instanceof SlackApiError && err.slackError === 'invalid_cursor' && walk.cursor)) throw err;
      walk.cursor = null;
      return this.client.history(channel.id, walk.oldest, null, pageSize(this.ctx.config));
    }
  }

  /** A thread whose replies moved past its watermark: every reply page, then deletions among its stored replies. */
  private async thread(channel: SlackChannel, parent: SlackApiMessage): Promise<void> {
    const stream = slackThreadStream(channel.id, parent.ts);
    const wm = await this.ctx.watermark(stream);
    // The parent shows its thread's reply count and latest reply: both as last read, nothing was added or removed.
    if (wm && wm.meta.replyCount === (parent.reply_count ?? 0) && wm.meta.latestReply === (parent.latest_reply ?? null)) return;
    const seen = new Set<string>();
    let top = wm?.cursorId ?? null;
    let cursor: string | null = null;
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await this.client.replies(channel.id, parent.ts, cursor, pageSize(this.ctx.config));
      // The parent comes first on every page; it belongs to the channel's history walk.
      const replies = page.items.filter((m) => m.ts !== parent.ts);
      for (const m of replies) {
        seen.add(m.ts);
        if (!top || tsAfter(m.ts, top)) top = m.ts;
      }
      const { mapped, changes } = await this.map(channel, replies);
      this.changes += await this.runner.apply(this.ctx.source, changes, this.write);
      await this.ctx.commit({ mapped, watermarks: [] });
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    const threadId = slackExternalId(channel.id, parent.ts);
    const gone = (await this.runner.live(this.ctx.source, channel.id)).filter((x) => x.threadId === threadId && x.externalId !== threadId && !seen.has(x.externalId.slice(channel.id.length + 1)));
    this.changes += await this.runner.apply(this.ctx.source, gone.map((x) => ({ kind: 'delete', externalId: x.externalId, at: this.ctx.now().toISOString() })), this.write);
    const meta = { replyCount: parent.reply_count ?? 0, latestReply: parent.latest_reply ?? null };
    await this.ctx.commit({ mapped: [], watermarks: [{ stream, update: { cursorId: top, cursorTs: top ? isoFromEpochSeconds(top) : null, meta } }] });
  }

  /** Slack messages -> rows to store (new ones; the writer skips what is stored) and changes to stored ones. */
  private async map(channel: SlackChannel, items: SlackApiMessage[]): Promise<{ mapped: Mapped[]; changes: Change[] }> {
    const current = await this.runner.current(this.ctx.source, items.map((m) => slackExternalId(channel.id, m.ts)));
    const mapped: Mapped[] = [];
    const changes: Change[] = [];
    for (const m of items) {
      const externalId = slackExternalId(channel.id, m.ts);
      const stored = current.get(externalId);
      if (m.subtype === 'tombstone') {
        // A parent deleted while its replies live on.
        if (stored && !stored.deleted) changes.push({ kind: 'delete', externalId, at: isoFromEpochSeconds(m.edited?.ts) ?? this.ctx.now().toISOString() });
        mapped.push({ kind: 'skipped', reason: 'a deleted Slack message (tombstone)' });
        continue;
      }
      const row = fromAction(mapSlack({ type: 'event_callback', team_id: this.teamId, event: { ...m, type: 'message', channel: channel.id } }).actions[0]);
      if (row.kind === 'message') {
        row.message.channelName = channel.name;
        if (row.message.author.externalId && !row.message.author.name && m.user) row.message.author.name = await this.userName(m.user);
        if (stored && !stored.deleted && stored.content !== row.message.content) {
          changes.push({ kind: 'edit', externalId, content: row.message.content, at: isoFromEpochSeconds(m.edited?.ts) ?? this.ctx.now().toISOString() });
        }
      }
      mapped.push(row);
    }
    return { mapped, changes };
  }

  private async userName(user: string): Promise<string | null> {
    if (!this.names.has(user)) this.names.set(user, await this.client.userName(user));
    return this.names.get(user) ?? null;
  }
}

const hasReplies = (m: SlackApiMessage) => (m.reply_count ?? 0) > 0 && (!m.thread_ts || m.thread_ts === m.ts);

function teamIdOf(config: Record<string, unknown>): string | null {
  return typeof config.teamId === 'string' ? config.teamId : null;
}

function revisitSeconds(config: Record<string, unknown>): number {
  const h = Number(config.revisitHours);
  return Number.isFinite(h) && h >= 0 ? Math.min(h, 24 * 90) * 3600 : DEFAULT_REVISIT_HOURS * 3600;
}

/** config.backfillDays: how far back a first sync reads; all history when absent. */
function backfillOldest(config: Record<string, unknown>, now: Date): string | null {
  const d = Number(config.backfillDays);
  return Number.isFinite(d) && d > 0 ? String(Math.floor(now.getTime() / 1000 - d * 86_400)) : null;
}

/** config.pageSize (1-1000, Slack's own bound; 200 recommended). */
function pageSize(config: Record<string, unknown>): number {
  const n = Number(config.pageSize);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : 200;
}

/** Slack ts ("1712345678.000100") compared exactly: seconds, then the sequence part. */
export function tsAfter(a: string, b: string): boolean {
  const [as, af = ''] = a.split('.');
  const [bs, bf = ''] = b.split('.');
  if (Number(as) !== Number(bs)) return Number(as) > Number(bs);
  return af.padEnd(6, '0') > bf.padEnd(6, '0');
}

function minusSeconds(ts: string, seconds: number): string {
  const [s, f = '000000'] = ts.split('.');
  return `${Math.max(0, Number(s) - seconds)}.${f}`;
}
