import { DEFAULT_IMPORT_LIMITS, ImportLimitError, ImportLimits, jsonTooLarge } from '@modules/ingestion/application/import-messages/import-limits';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { checkNotAborted, cut, ReadContext, rowError, skip, toRow } from './read-context';
import { centralDirectory, checkDeclared, checkZipLimits, EntryNames, EntryReader, openZip, ZipArchive, ZipEntry } from './zip-archive';

/**
 * A Slack workspace export (.zip): channels.json, users.json (groups.json, mpims.json, dms.json
 * in exports that have them) and one folder per conversation of YYYY-MM-DD.json arrays.
 *
 * Read entry by entry (zip-archive.ts): the archive is never in memory, only one day file at a
 * time plus the users and channels maps. Entries are read in (folder, date) order whatever their
 * order in the zip.
 *
 * Zip bombs: at most IMPORT_ZIP_MAX_ENTRIES entries; every entry read is counted byte by byte as
 * it inflates and stopped past what its header declares, IMPORT_ZIP_MAX_ENTRY_MB or
 * IMPORT_JSON_MAX_MB (it is parsed whole), and past IMPORT_ZIP_MAX_TOTAL_MB for the archive.
 * checkSlackExportLimits refuses what the central directory already tells (413 before a job).
 *
 * - external id `<channelId>:<ts>`; `thread_ts` -> threadId `<channelId>:<thread_ts>` (the
 *   parent's external id), isReply when thread_ts != ts;
 * - user ids -> names from users.json (profile.real_name, real_name, display_name, name), also
 *   inside the text (`<@U123>` -> `@Dana Scully`, `<#C1|general>` -> `#general`, links);
 * - `message_changed` -> the edited message under the original's id: folded into the original
 *   when both are in the same day file, else a row of its own (a duplicate when the original
 *   was stored first: edits across days are not applied by an import);
 * - bot messages kept (author = the bot, metadata.bot); files -> metadata.attachments
 *   (name, type, size), reactions, reply counts, edits -> metadata;
 * - system subtypes (joins, leaves, topic/purpose/name changes, pins, deletions, thread
 *   notices) are not messages: counted in `ctx.skipped` by subtype, not rejected.
 */
export const MAX_JSON_ENTRY_BYTES = DEFAULT_IMPORT_LIMITS.zipMaxEntryBytes;

/** Subtypes that record something happening in a channel rather than someone saying something. */
export const SLACK_SYSTEM_SUBTYPES = new Set([
  'channel_join', 'channel_leave', 'channel_topic', 'channel_purpose', 'channel_name', 'channel_archive', 'channel_unarchive',
  'channel_convert_to_private', 'channel_convert_to_public', 'group_join', 'group_leave', 'group_topic', 'group_purpose',
  'group_name', 'group_archive', 'group_unarchive', 'pinned_item', 'unpinned_item', 'bot_add', 'bot_remove', 'bot_enable',
  'bot_disable', 'message_deleted', 'message_replied', 'tombstone', 'reminder_add', 'ekm_access_denied', 'sh_room_created',
  'channel_canvas_updated', 'huddle_thread',
]);

interface SlackUser { name: string | null; email: string | null }
interface SlackChannel { id: string; name: string; type: 'public' | 'private' | 'mpim' | 'dm' }
type Json = Record<string, any>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

export function slackUserName(u: Json): string | null {
  const p = isObject(u.profile) ? u.profile : {};
  return str(p.real_name) ?? str(u.real_name) ?? str(p.display_name) ?? str(u.display_name) ?? str(u.name);
}

/** users.json -> id -> { name, email }. */
export function slackUsers(list: unknown): Map<string, SlackUser> {
  const out = new Map<string, SlackUser>();
  if (!Array.isArray(list)) return out;
  for (const u of list) {
    if (!isObject(u) || typeof u.id !== 'string') continue;
    out.set(u.id, { name: slackUserName(u), email: str(isObject(u.profile) ? u.profile.email : null) });
  }
  return out;
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&' };

/** Slack's mrkdwn escapes and references into plain text people read. */
export function slackText(text: string, users: Map<string, SlackUser>, channelsById: Map<string, SlackChannel>): string {
  return text
    .replace(/<([^<>]+)>/g, (_m, inner: string) => {
      const [target, label] = inner.split('|', 2);
      if (target.startsWith('@')) return `@${label ?? users.get(target.slice(1))?.name ?? target.slice(1)}`;
      if (target.startsWith('#')) return `#${label ?? channelsById.get(target.slice(1))?.name ?? target.slice(1)}`;
      if (target.startsWith('!subteam^')) return label ?? '@group';
      if (target.startsWith('!')) return `@${label ?? target.slice(1).split('^')[0]}`;
      return label ? `${label} (${target})` : target;
    })
    .replace(/&(lt|gt|amp);/g, (m) => ENTITIES[m]);
}

function channelsFrom(list: unknown, type: SlackChannel['type'], users: Map<string, SlackUser>): SlackChannel[] {
  if (!Array.isArray(list)) return [];
  return list.filter((c): c is Json => isObject(c) && typeof c.id === 'string').map((c) => {
    if (type === 'dm') {
      const names = Array.isArray(c.members) ? c.members.map((m: string) => users.get(m)?.name ?? m) : [];
      return { id: c.id, name: names.length ? `DM ${names.join(', ')}` : c.id, type };
    }
    return { id: c.id, name: typeof c.name === 'string' ? c.name : c.id, type };
  });
}

/** One Slack message (already resolved to the edited version) -> the docs/api.md item shape. */
export function slackItem(m: Json, ch: SlackChannel, users: Map<string, SlackUser>, channelsById: Map<string, SlackChannel>, extra: { edited?: Json } = {}): Record<string, unknown> {
  const ts = typeof m.ts === 'string' ? m.ts : typeof m.ts === 'number' ? String(m.ts) : null;
  const threadTs = typeof m.thread_ts === 'string' ? m.thread_ts : null;
  const isBot = m.subtype === 'bot_message' || typeof m.bot_id === 'string';
  const user = typeof m.user === 'string' ? users.get(m.user) : undefined;
  const profile = isObject(m.user_profile) ? m.user_profile : {};
  const botName = str(m.username) ?? str(isObject(m.bot_profile) ? m.bot_profile.name : null);
  const author = isBot && !user
    ? { name: botName ?? 'bot', externalId: str(m.bot_id) ?? str(m.user) }
    : { name: user?.name ?? str(profile.real_name) ?? str(profile.display_name) ?? str(profile.name) ?? null, email: user?.email ?? null, externalId: str(m.user) };

  let text = typeof m.text === 'string' ? slackText(m.text, users, channelsById) : '';
  const unfurls = Array.isArray(m.attachments) ? m.attachments.filter(isObject) : [];
  if (text.trim() === '' && unfurls.length) {
    text = unfurls.map((a) => [a.pretext, a.title, a.text ?? a.fallback].filter((x) => typeof x === 'string' && x.trim()).join('\n')).filter(Boolean).join('\n\n');
  }
  const content = cut(text);
  const files = Array.isArray(m.files) ? m.files.filter(isObject) : [];
  const metadata: Record<string, unknown> = { channelType: ch.type };
  if (m.subtype) metadata.subtype = m.subtype;
  if (files.length) metadata.attachments = files.map((f) => ({ name: f.name ?? f.title ?? f.id ?? null, type: f.mimetype ?? f.filetype ?? null, size: typeof f.size === 'number' ? f.size : null }));
  if (Array.isArray(m.reactions)) metadata.reactions = m.reactions.filter(isObject).map((r) => ({ name: r.name, count: r.count ?? (Array.isArray(r.users) ? r.users.length : null), users: Array.isArray(r.users) ? r.users.map((u: string) => users.get(u)?.name ?? u) : [] }));
  if (typeof m.reply_count === 'number') metadata.replyCount = m.reply_count;
  if (Array.isArray(m.reply_users)) metadata.replyUsers = m.reply_users.map((u: string) => users.get(u)?.name ?? u);
  if (Array.isArray(m.replies)) metadata.replies = m.replies.filter(isObject).map((r) => `${ch.id}:${r.ts}`);
  if (typeof m.latest_reply === 'string') metadata.latestReply = m.latest_reply;
  if (typeof m.parent_user_id === 'string') metadata.parentUser = users.get(m.parent_user_id)?.name ?? m.parent_user_id;
  if (isBot) metadata.bot = { id: m.bot_id ?? null, name: botName };
  if (unfurls.length) metadata.links = unfurls.map((a) => ({ title: a.title ?? null, url: a.title_link ?? a.from_url ?? a.original_url ?? null })).filter((l) => l.url || l.title);
  const edited = extra.edited ?? (isObject(m.edited) ? m.edited : undefined);
  if (edited) metadata.edited = { by: typeof edited.user === 'string' ? (users.get(edited.user)?.name ?? edited.user) : null, at: typeof edited.ts === 'string' ? new Date(Number(edited.ts) * 1000).toISOString() : null };
  if (content.truncated) metadata.truncated = true;
  return {
    externalId: ts ? `${ch.id}:${ts}` : undefined,
    content: content.text,
    sentAt: ts ?? undefined,
    author,
    channel: { id: ch.id, name: ch.name },
    threadId: threadTs ? `${ch.id}:${threadTs}` : undefined,
    isReply: threadTs !== null && threadTs !== ts,
    metadata,
    raw: m,
  };
}

/**
 * One day file's messages, in order, as items: system subtypes left out (counted), and
 * `message_changed` folded into its original when the original is in the same file.
 */
export function slackDayItems(messages: unknown[], ch: SlackChannel, users: Map<string, SlackUser>, channelsById: Map<string, SlackChannel>, ctx?: ReadContext): { position: number; item: Record<string, unknown> | null; problem?: string }[] {
  const out: { position: number; item: Record<string, unknown> | null; problem?: string; ts?: string }[] = [];
  const byTs = new Map<string, number>();
  messages.forEach((m, position) => {
    if (!isObject(m)) {
      out.push({ position, item: null, problem: 'a Slack message must be a JSON object' });
      return;
    }
    if (typeof m.subtype === 'string' && SLACK_SYSTEM_SUBTYPES.has(m.subtype)) {
      skip(ctx, m.subtype);
      return;
    }
    if (m.subtype === 'message_changed') {
      const edited = isObject(m.message) ? m.message : null;
      if (!edited) {
        out.push({ position, item: null, problem: 'message_changed without its message' });
        return;
      }
      const original = typeof edited.ts === 'string' ? byTs.get(edited.ts) : undefined;
      const item = slackItem({ ...edited, subtype: edited.subtype }, ch, users, channelsById, { edited: isObject(edited.edited) ? edited.edited : { user: edited.user, ts: m.ts } });
      if (original !== undefined) {
        out[original] = { ...out[original], item }; // the edit replaces the original's content in place
        skip(ctx, 'message_changed (folded into the original)');
      } else out.push({ position, item });
      return;
    }
    const item = slackItem(m, ch, users, channelsById);
    if (typeof m.ts === 'string') byTs.set(m.ts, out.length);
    out.push({ position, item });
  });
  return out;
}

/** A Slack export's entries are JSON documents parsed whole: held to IMPORT_JSON_MAX_MB as well. */
function checkJsonEntry(e: ZipEntry, limits: ImportLimits): void {
  checkDeclared(e, limits);
  if (e.uncompressedSize > limits.jsonMaxBytes) throw jsonTooLarge(e.fileName, e.uncompressedSize, limits.jsonMaxBytes, 'export fewer channels or a shorter period');
}

/**
 * The central directory against the limits, before anything is read: entry count, each JSON
 * entry's declared size and their total (the entries the reader may parse). An archive that
 * cannot be opened passes: the import job reports it.
 */
export async function checkSlackExportLimits(zipPath: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): Promise<void> {
  await checkZipLimits(zipPath, limits, { reads: (e) => e.fileName.endsWith('.json'), check: (e) => checkJsonEntry(e, limits) });
}

const DAY_FILES: EntryNames = { plural: 'day files', first: 'the first day file' };

const DAY_FILE = /^(.+)\/(\d{4}-\d{2}-\d{2})\.json$/;

/** The rows of a Slack export zip at `zipPath` (see above). `index` counts messages across the whole export, in reading order. */
export async function* slackExportRows(zipPath: string, ctx?: ReadContext): AsyncGenerator<ParsedRow> {
  let zip: ZipArchive;
  try {
    zip = await openZip(zipPath);
  } catch (err) {
    throw new Error(`Not a readable Slack export zip: ${(err as Error).message}`);
  }
  try {
    const limits = ctx?.limits ?? DEFAULT_IMPORT_LIMITS;
    const entries = (await centralDirectory(zip, limits)).filter((e) => !e.fileName.endsWith('/') && !e.fileName.startsWith('__MACOSX/'));
    const inflater = new EntryReader(zip, limits, ctx, DAY_FILES);
    const read = async (e: ZipEntry): Promise<Buffer> => {
      checkJsonEntry(e, limits);
      return inflater.read(e);
    };
    // Exports re-zipped by hand may sit in one top folder: the root is where channels.json or users.json is.
    const marker = entries.map((e) => e.fileName).filter((n) => /(^|\/)(channels|users)\.json$/.test(n)).sort((a, b) => a.split('/').length - b.split('/').length)[0];
    if (marker === undefined) throw new Error('Not a Slack export: no channels.json or users.json in the zip');
    const root = marker.slice(0, marker.lastIndexOf('/') + 1);
    const top = new Map(entries.filter((e) => e.fileName.startsWith(root) && !e.fileName.slice(root.length).includes('/')).map((e) => [e.fileName.slice(root.length), e]));
    const json = async (name: string): Promise<unknown> => {
      const e = top.get(name);
      if (!e) return null;
      try {
        return JSON.parse((await read(e)).toString('utf8'));
      } catch (err) {
        if (err instanceof ImportLimitError) throw err;
        throw new Error(`${name} of the Slack export is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
      }
    };
    const users = slackUsers(await json('users.json'));
    const channels = [
      ...channelsFrom(await json('channels.json'), 'public', users),
      ...channelsFrom(await json('groups.json'), 'private', users),
      ...channelsFrom(await json('mpims.json'), 'mpim', users),
      ...channelsFrom(await json('dms.json'), 'dm', users),
    ];
    const byId = new Map(channels.map((c) => [c.id, c]));
    // Folders are named after the channel (public, private, group DMs) or its id (DMs).
    const byFolder = new Map<string, SlackChannel>();
    for (const c of channels) byFolder.set(c.type === 'dm' ? c.id : c.name, c);

    const days = entries
      .map((e) => ({ e, m: e.fileName.startsWith(root) ? DAY_FILE.exec(e.fileName.slice(root.length)) : null }))
      .filter((x): x is { e: ZipEntry; m: RegExpExecArray } => x.m !== null && !x.m[1].includes('/'))
      // Code-point order, not the locale's: the same export always reads (and numbers its rows) the same way.
      .sort((a, b) => (a.m[1] === b.m[1] ? (a.m[2] < b.m[2] ? -1 : 1) : a.m[1] < b.m[1] ? -1 : 1));
    if (ctx) ctx.progress = { unit: 'files', done: 0, total: days.length };

    let index = 0;
    for (const { e, m } of days) {
      checkNotAborted(ctx);
      const folder = m[1];
      const ch = byFolder.get(folder) ?? byId.get(folder) ?? { id: folder, name: folder, type: 'public' as const };
      const where = `${folder}/${m[2]}.json`;
      let messages: unknown;
      try {
        messages = JSON.parse((await read(e)).toString('utf8'));
      } catch (err) {
        if (err instanceof ImportLimitError) throw err;
        yield rowError(index++, `${where} could not be read: ${(err as Error).message.slice(0, 200)}`);
        if (ctx) ctx.progress.done++;
        continue;
      }
      if (!Array.isArray(messages)) {
        yield rowError(index++, `${where} is not an array of messages`);
        if (ctx) ctx.progress.done++;
        continue;
      }
      for (const { position, item, problem } of slackDayItems(messages, ch, users, byId, ctx)) {
        checkNotAborted(ctx);
        yield item ? toRow(index++, item, `${where}[${position}]`) : rowError(index++, `${problem} (${where}[${position}])`);
      }
      if (ctx) ctx.progress.done++;
    }
  } finally {
    zip.close();
  }
}
