import { Answer, FakeProvider, SeenRequest } from './fake-provider';

/** A message as Slack keeps it (conversations.history / conversations.replies shape). */
export interface FakeSlackMessage {
  type: 'message';
  ts: string;
  user?: string;
  text: string;
  subtype?: string;
  thread_ts?: string;
  reply_count?: number;
  reply_users_count?: number;
  latest_reply?: string;
  reply_users?: string[];
  parent_user_id?: string;
  edited?: { user: string; ts: string };
  team?: string;
}

export interface FakeSlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  /** The bot is a member: users.conversations lists it, history may read it (else not_in_channel). */
  botMember: boolean;
  /** Top-level messages (and thread broadcasts), any order. */
  messages: FakeSlackMessage[];
  /** Replies by parent ts. */
  replies: Map<string, FakeSlackMessage[]>;
}

export interface FakeSlackUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
}

export interface FakeSlackTeam {
  id: string;
  channels: Map<string, FakeSlackChannel>;
  users: Map<string, FakeSlackUser>;
}

/** The scopes each method needs (api.slack.com/methods/*: "Required scopes", bot tokens; public channels). */
const METHOD_SCOPES: Record<string, string> = {
  'users.conversations': 'channels:read',
  'conversations.history': 'channels:history',
  'conversations.replies': 'channels:history',
  'users.info': 'users:read',
};
export const ALL_SCOPES = ['channels:read', 'groups:read', 'channels:history', 'groups:history', 'users:read'];

const nextCursor = (ts: string) => Buffer.from(`next_ts:${ts}`).toString('base64');
const cursorTs = (cursor: string) => {
  const v = Buffer.from(cursor, 'base64').toString();
  return v.startsWith('next_ts:') ? v.slice('next_ts:'.length) : null;
};
/** Slack ts as a number good enough to order (microsecond part kept). */
const num = (ts: string) => Number(ts);

/**
 * Slack's Web API for a bot token, as documented at api.slack.com/methods: POST with the
 * arguments form-encoded (or as a query), `Authorization: Bearer <token>`; every answer HTTP 200
 * with `ok: true` or `ok: false` + `error` (invalid_auth, missing_scope with `needed` and
 * `provided`, not_in_channel, channel_not_found, thread_not_found, user_not_found,
 * invalid_cursor); cursor pagination with `response_metadata.next_cursor` ('' on the last page)
 * and `has_more`; a page never larger than `limit` nor than the fake's `pageSize` (Slack may
 * answer fewer than asked). Rate limits: FakeProvider's faults (429 + Retry-After).
 * Methods: auth.test, users.conversations, conversations.history (newest first; oldest/latest
 * exclusive unless `inclusive`), conversations.replies (the parent first, then replies oldest
 * first), users.info. Mounted under /api, so its base URL is `${url}/api`.
 */
export class FakeSlack extends FakeProvider {
  private readonly tokens = new Map<string, { teamId: string; scopes: string[] }>();
  readonly teams = new Map<string, FakeSlackTeam>();
  /** Largest page the fake answers (forces pagination in tests). */
  pageSize = 1000;
  private clock = 1_767_225_600; // 2026-01-01T00:00:00Z
  private seq = 0;

  /** A bot token of the team (with every scope of the history sync unless `scopes` says otherwise). */
  bot(token: string, teamId: string, scopes: string[] = ALL_SCOPES): this {
    this.tokens.set(token, { teamId, scopes });
    this.team(teamId);
    return this;
  }

  /** The token is revoked (an app uninstalled): every method answers invalid_auth. */
  revoke(token: string): void {
    this.tokens.delete(token);
  }

  get apiBase(): string {
    return `${this.url}/api`;
  }

  team(teamId: string): FakeSlackTeam {
    let t = this.teams.get(teamId);
    if (!t) this.teams.set(teamId, (t = { id: teamId, channels: new Map(), users: new Map() }));
    return t;
  }

  user(teamId: string, id: string, realName: string): this {
    this.team(teamId).users.set(id, { id, name: realName.toLowerCase().replace(/\s+/g, '.'), realName, displayName: realName.split(' ')[0] });
    return this;
  }

  channel(teamId: string, id: string, name: string, opts: { botMember?: boolean; isPrivate?: boolean } = {}): this {
    this.team(teamId).channels.set(id, { id, name, isPrivate: opts.isPrivate ?? false, botMember: opts.botMember ?? true, messages: [], replies: new Map() });
    return this;
  }

  /** A new ts, later than every earlier one. */
  nextTs(): string {
    this.seq++;
    return `${this.clock + this.seq * 60}.${String(100 + this.seq).padStart(6, '0')}`;
  }

  /** Posts a top-level message; answers its ts. */
  post(teamId: string, channel: string, user: string, text: string, ts = this.nextTs()): string {
    this.chan(teamId, channel).messages.push({ type: 'message', ts, user, text, team: teamId });
    return ts;
  }

  /** Replies in the thread of `parentTs` (the parent's reply_count / latest_reply move as Slack's do). */
  reply(teamId: string, channel: string, parentTs: string, user: string, text: string, ts = this.nextTs()): string {
    const c = this.chan(teamId, channel);
    const parent = c.messages.find((m) => m.ts === parentTs)!;
    const list = c.replies.get(parentTs) ?? [];
    list.push({ type: 'message', ts, user, text, thread_ts: parentTs, parent_user_id: parent.user, team: teamId });
    c.replies.set(parentTs, list);
    this.threadMeta(parent, list);
    return ts;
  }

  edit(teamId: string, channel: string, ts: string, text: string): void {
    const c = this.chan(teamId, channel);
    const m = c.messages.find((x) => x.ts === ts) ?? [...c.replies.values()].flat().find((x) => x.ts === ts)!;
    m.text = text;
    m.edited = { user: m.user ?? 'U0BOT', ts: this.nextTs() };
  }

  /** Deletes a message; a parent with replies stays as a tombstone (as Slack keeps it). */
  delete(teamId: string, channel: string, ts: string): void {
    const c = this.chan(teamId, channel);
    const i = c.messages.findIndex((x) => x.ts === ts);
    if (i >= 0) {
      if (c.replies.get(ts)?.length) {
        const m = c.messages[i];
        c.messages[i] = { type: 'message', subtype: 'tombstone', ts, text: 'This message was deleted.', thread_ts: ts, reply_count: m.reply_count, latest_reply: m.latest_reply, reply_users: m.reply_users, reply_users_count: m.reply_users_count };
      } else c.messages.splice(i, 1);
      return;
    }
    for (const [parentTs, list] of c.replies) {
      const j = list.findIndex((x) => x.ts === ts);
      if (j >= 0) {
        list.splice(j, 1);
        this.threadMeta(c.messages.find((m) => m.ts === parentTs)!, list);
      }
    }
  }

  /** Requests of one method (e.g. 'conversations.history'), with their arguments parsed. */
  calls(method: string, from = 0): (SeenRequest & { args: Record<string, string> })[] {
    return this.since(from)
      .filter((r) => r.path === `/api/${method}`)
      .map((r) => ({ ...r, args: argsOf(r) }));
  }

  protected authorize(r: SeenRequest): Answer | null {
    if (r.path === '/api/auth.test') return null;
    if (!this.tokens.has(tokenOf(r))) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    return null;
  }

  protected route(r: SeenRequest): Answer {
    const method = r.path.replace(/^\/api\//, '');
    const token = this.tokens.get(tokenOf(r));
    if (method === 'auth.test') {
      if (!token) return ok({ ok: false, error: 'invalid_auth' });
      return ok({ ok: true, url: `https://${token.teamId.toLowerCase()}.slack.com/`, team: `Team ${token.teamId}`, user: 'convo-bot', team_id: token.teamId, user_id: 'U0BOT', bot_id: 'B0BOT', is_enterprise_install: false });
    }
    const needed = METHOD_SCOPES[method];
    if (!needed) return { status: 404, body: { ok: false, error: 'unknown_method' } };
    if (!token) return ok({ ok: false, error: 'invalid_auth' });
    if (!token.scopes.includes(needed)) return ok({ ok: false, error: 'missing_scope', needed, provided: token.scopes.join(',') });
    const team = this.team(token.teamId);
    const a = argsOf(r);
    const limit = Math.min(this.pageSize, Math.max(1, Number(a.limit) || 100));
    switch (method) {
      case 'users.conversations': {
        const all = [...team.channels.values()].filter((c) => c.botMember).sort((x, y) => x.id.localeCompare(y.id));
        const start = a.cursor ? Number(Buffer.from(a.cursor, 'base64').toString().replace(/^offset:/, '')) : 0;
        if (!Number.isInteger(start)) return ok({ ok: false, error: 'invalid_cursor' });
        const page = all.slice(start, start + limit);
        const more = start + limit < all.length;
        return ok({
          ok: true,
          channels: page.map((c) => ({ id: c.id, name: c.name, is_channel: !c.isPrivate, is_group: c.isPrivate, is_private: c.isPrivate, is_archived: false, is_member: true, created: this.clock })),
          response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
        });
      }
      case 'conversations.history': {
        const c = team.channels.get(a.channel);
        if (!c) return ok({ ok: false, error: 'channel_not_found' });
        if (!c.botMember) return ok({ ok: false, error: 'not_in_channel' });
        const inclusive = a.inclusive === 'true' || a.inclusive === '1';
        let list = [...c.messages].sort((x, y) => num(y.ts) - num(x.ts));
        if (a.oldest) list = list.filter((m) => (inclusive ? num(m.ts) >= num(a.oldest) : num(m.ts) > num(a.oldest)));
        if (a.latest) list = list.filter((m) => (inclusive ? num(m.ts) <= num(a.latest) : num(m.ts) < num(a.latest)));
        if (a.cursor) {
          const from = cursorTs(a.cursor);
          if (!from) return ok({ ok: false, error: 'invalid_cursor' });
          list = list.filter((m) => num(m.ts) <= num(from));
        }
        const page = list.slice(0, limit);
        const more = list.length > limit;
        return ok({ ok: true, messages: page, has_more: more, pin_count: 0, response_metadata: { next_cursor: more ? nextCursor(list[limit].ts) : '' } });
      }
      case 'conversations.replies': {
        const c = team.channels.get(a.channel);
        if (!c) return ok({ ok: false, error: 'channel_not_found' });
        if (!c.botMember) return ok({ ok: false, error: 'not_in_channel' });
        const parent = c.messages.find((m) => m.ts === a.ts);
        if (!parent) return ok({ ok: false, error: 'thread_not_found' });
        let list = [parent, ...(c.replies.get(a.ts) ?? [])];
        if (a.cursor) {
          const from = cursorTs(a.cursor);
          if (!from) return ok({ ok: false, error: 'invalid_cursor' });
          list = list.filter((m) => num(m.ts) >= num(from) && m.ts !== parent.ts);
        }
        const page = list.slice(0, limit);
        const more = list.length > limit;
        return ok({ ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? nextCursor(list[limit].ts) : '' } });
      }
      case 'users.info': {
        const u = team.users.get(a.user);
        if (!u) return ok({ ok: false, error: 'user_not_found' });
        return ok({ ok: true, user: { id: u.id, team_id: team.id, name: u.name, real_name: u.realName, deleted: false, is_bot: false, profile: { real_name: u.realName, display_name: u.displayName } } });
      }
    }
    return { status: 404, body: { ok: false, error: 'unknown_method' } };
  }

  private chan(teamId: string, channel: string): FakeSlackChannel {
    const c = this.team(teamId).channels.get(channel);
    if (!c) throw new Error(`no channel ${channel} in ${teamId}`);
    return c;
  }

  private threadMeta(parent: FakeSlackMessage, replies: FakeSlackMessage[]): void {
    parent.thread_ts = parent.ts;
    parent.reply_count = replies.length;
    parent.latest_reply = replies.length ? replies[replies.length - 1].ts : undefined;
    parent.reply_users = [...new Set(replies.map((x) => x.user!))];
    parent.reply_users_count = parent.reply_users.length;
  }
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const tokenOf = (r: SeenRequest) => String(r.headers.authorization ?? '').replace(/^Bearer\s+/i, '');

/** The method's arguments: the query, then the form-encoded (or JSON) body. */
function argsOf(r: SeenRequest): Record<string, string> {
  const out: Record<string, string> = { ...r.query };
  if (typeof r.body === 'string') for (const [k, v] of new URLSearchParams(r.body)) out[k] = v;
  else if (r.body && typeof r.body === 'object') for (const [k, v] of Object.entries(r.body)) out[k] = String(v);
  return out;
}
