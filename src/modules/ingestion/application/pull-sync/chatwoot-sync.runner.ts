import { ChatwootClient, ChatwootContact, ChatwootConversation } from '@modules/ingestion/infrastructure/connectors/chatwoot.client';
import type { ContactInput, ConversationInput } from '@modules/ingestion/infrastructure/conversation-writer';
import { chatwootContact, chatwootConversation, chatwootMessage } from './chatwoot-api.mapper';
import { PageCommit, PullContext, SyncRunner } from './sync-runner';

/** A walk of a newest-first list, kept in its stream's watermark while it runs. */
interface ListWalk {
  /** Items last active before this (epoch ms) were synced by an earlier run. */
  since: number | null;
  /** When the walk began: the next run's `since` once this one finishes. */
  startedAt: string;
  /** The next page to read (1-based). */
  page: number;
}

export const CONVERSATIONS_STREAM = 'conversations';
export const CONTACTS_STREAM = 'contacts';
export const conversationStream = (conversationId: number | string) => `conversation:${conversationId}`;
/** Clock skew and same-second activity: what was active this close to the last run is looked at again (cheap: cursors say what is new). */
const OVERLAP_MS = 5 * 60_000;
const MAX_LIST_PAGES = 100_000;

/**
 * Chatwoot pull sync.
 * - Conversations (status=all) come newest activity first: a run walks the list until
 *   conversations were last active before the previous run began. Each conversation has its own
 *   watermark, the id of its last stored message; its messages are paged with `after=<that id>`
 *   (oldest first, up to 100 a page) until none is left, each page stored before the watermark
 *   moves. A conversation whose last message (the list shows it) is not above its watermark
 *   costs no request. The conversation and its contact are written (ConversationWriter) when
 *   they changed.
 * - Contacts are walked the same way (`sort=-last_activity_at`, 15 a page).
 * A killed walk resumes one list page before the page it was on (the list may have shifted).
 */
export class ChatwootSyncRunner extends SyncRunner {
  readonly kind = 'chatwoot' as const;

  protected async pull(ctx: PullContext): Promise<void> {
    const client = new ChatwootClient({ baseUrl: ctx.credentials.baseUrl, apiToken: ctx.credentials.apiToken, accountId: ctx.credentials.accountId }, ctx.http);
    await this.walk<ChatwootConversation>(ctx, CONVERSATIONS_STREAM, async (page) => {
      const list = await client.conversations(page, ctx.signal);
      return { items: list.payload, activity: (c) => seconds(c.last_activity_at ?? c.timestamp), nullIsOld: false };
    }, async (conversations) => {
      const seenAt = ctx.now().toISOString();
      const out = { conversations: [] as ConversationInput[], contacts: [] as ContactInput[] };
      for (const c of conversations) {
        await this.messages(ctx, client, c);
        const { conversation, contact } = chatwootConversation(c, seenAt);
        if (conversation) out.conversations.push(conversation);
        if (contact) out.contacts.push(contact);
      }
      return out;
    });
    await this.walk<ChatwootContact>(ctx, CONTACTS_STREAM, async (page) => {
      const list = await client.contacts(page, ctx.signal);
      return { items: list.payload, activity: (c) => seconds(c.last_activity_at), nullIsOld: true };
    }, async (contacts) => {
      const seenAt = ctx.now().toISOString();
      return { contacts: contacts.map((c) => chatwootContact(c, seenAt)) };
    });
  }

  /** Pages a newest-first list from page 1 (or where a killed walk was) down to what the last run saw. */
  private async walk<T>(
    ctx: PullContext,
    stream: string,
    fetch: (page: number) => Promise<{ items: T[]; activity: (item: T) => number | null; nullIsOld: boolean }>,
    visit: (items: T[]) => Promise<Pick<PageCommit, 'conversations' | 'contacts'>>,
  ): Promise<void> {
    const wm = await ctx.watermark(stream);
    const resumed = wm?.meta.walk as ListWalk | undefined;
    const walk: ListWalk = resumed
      ? { ...resumed, page: Math.max(1, resumed.page - 1) }
      : { since: wm?.cursorTs ? Date.parse(wm.cursorTs) - OVERLAP_MS : null, startedAt: ctx.now().toISOString(), page: 1 };
    for (let n = 0; n < MAX_LIST_PAGES; n++) {
      const { items, activity, nullIsOld } = await fetch(walk.page);
      if (items.length === 0) break;
      const recent = items.filter((item) => {
        if (walk.since === null) return true;
        const at = activity(item);
        return at === null ? !nullIsOld : at >= walk.since;
      });
      const extra = await visit(recent);
      walk.page++;
      await ctx.commit({ mapped: [], ...extra, watermarks: [{ stream, update: { cursorTs: wm?.cursorTs ?? null, cursorId: null, meta: { walk } } }] });
      // Newest first: once a page reaches what the last run saw, the rest is older still.
      if (recent.length < items.length) break;
    }
    await ctx.commit({ mapped: [], watermarks: [{ stream, update: { cursorTs: walk.startedAt, cursorId: null, meta: {} } }] });
  }

  private async messages(ctx: PullContext, client: ChatwootClient, c: ChatwootConversation): Promise<void> {
    const stream = conversationStream(c.id);
    const wm = await ctx.watermark(stream);
    let after = wm?.cursorId ? Number(wm.cursorId) : 0;
    const lastShown = Array.isArray(c.messages) && c.messages.length ? Math.max(...c.messages.map((m) => Number(m.id))) : null;
    if (lastShown !== null && after >= lastShown) return;
    for (;;) {
      const page = await client.messagesAfter(c.id, after, ctx.signal);
      const messages = page.payload.filter((m) => Number(m.id) > after).sort((a, b) => Number(a.id) - Number(b.id));
      if (messages.length === 0) return;
      const last = messages[messages.length - 1];
      await ctx.commit({
        mapped: messages.map((m) => chatwootMessage(m, c)),
        watermarks: [{ stream, update: { cursorId: String(last.id), cursorTs: epochToIso(last.created_at), meta: {} } }],
      });
      after = Number(last.id);
      if (lastShown !== null && after >= lastShown) return;
    }
  }
}

const seconds = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v * 1000 : null);

function epochToIso(v: unknown): string | null {
  return typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000).toISOString() : null;
}
