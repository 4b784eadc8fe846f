import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DEFAULT_IMPORT_LIMITS, jsonTooLarge } from '@modules/ingestion/application/import-messages/import-limits';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { checkNotAborted, cut, ReadContext, rowError, skip, toRow } from './read-context';

/**
 * A Telegram Desktop export (result.json, "Machine-readable JSON"): one chat
 * `{ name, type, id, messages: [...] }`, or a whole account `{ chats: { list: [chat...] }, left_chats? }`.
 *
 * The file is read whole and parsed with JSON.parse (no streaming JSON parser is installed):
 * at most IMPORT_JSON_MAX_MB (128 MiB by default; parsing takes about 3-5 times that in memory,
 * and V8 strings stop near 512 MiB anyway). A bigger export is refused before anything is
 * stored (413 INGESTION.IMPORT_JSON_TOO_LARGE); export it per chat instead.
 *
 * - external id `<chatId>:<messageId>`; channel = the chat (id, name);
 * - `type: "service"` rows (joins, pins, calls, title changes) are not messages: counted in
 *   `ctx.skipped.service`, not rejected, so the job's error log only has real problems;
 * - `text` as a string or an entity array is flattened to plain text (links keep their href);
 * - `reply_to_message_id` -> isReply, threadId = `<chatId>:<root>` where root is the first
 *   message of the reply chain as far as the export has it (the thread's first message keeps
 *   threadId null: its replies point at its external id); the direct parent is in metadata;
 * - media (photo, file, sticker, voice...) -> metadata.attachments (name, type, size), never stored;
 * - sentAt from `date_unixtime`, else `date` (local time of the exporting machine, read as UTC);
 * - `index` is the position among all messages of the file, service messages included.
 */
export const TELEGRAM_MAX_BYTES = DEFAULT_IMPORT_LIMITS.jsonMaxBytes;

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text as a string or an array of strings and entities ({ type, text, href? }) -> plain text. */
export function telegramText(text: unknown): string {
  if (typeof text === 'string') return text;
  if (!Array.isArray(text)) return '';
  return text
    .map((part) => {
      if (typeof part === 'string') return part;
      if (!isObject(part) || typeof part.text !== 'string') return '';
      if (part.type === 'text_link' && typeof part.href === 'string' && part.href !== part.text) return `${part.text} (${part.href})`;
      return part.text;
    })
    .join('');
}

function attachmentsOf(m: Json): { name: string | null; type: string | null; size: number | null }[] {
  const out: { name: string | null; type: string | null; size: number | null }[] = [];
  const size = (v: unknown) => (typeof v === 'number' ? v : null);
  if (typeof m.photo === 'string') out.push({ name: basename(m.photo), type: 'image', size: size(m.photo_file_size ?? m.file_size) });
  if (typeof m.file === 'string' || typeof m.media_type === 'string') {
    const name = typeof m.file_name === 'string' ? m.file_name : typeof m.file === 'string' ? basename(m.file) : null;
    out.push({ name, type: m.mime_type ?? m.media_type ?? null, size: size(m.file_size) });
  }
  if (isObject(m.location_information)) out.push({ name: 'location', type: 'location', size: null });
  if (isObject(m.contact_information)) out.push({ name: 'contact', type: 'contact', size: null });
  return out;
}

/** The chats of an export: a single chat, or a whole account's chats.list (and left_chats.list). */
export function telegramChats(doc: unknown): Json[] {
  if (!isObject(doc)) throw new Error('Not a Telegram export: result.json must be a JSON object');
  if (Array.isArray(doc.messages)) return [doc];
  const lists = [doc.chats, doc.left_chats].filter(isObject).map((c) => c.list).filter(Array.isArray);
  if (!lists.length) throw new Error('Not a Telegram export: no "messages" (one chat) nor "chats.list" (whole account)');
  return lists.flat().filter((c): c is Json => isObject(c) && Array.isArray(c.messages));
}

/** The rows of a parsed result.json (see above). */
export function* telegramExportRows(doc: unknown, ctx?: ReadContext): Generator<ParsedRow> {
  const chats = telegramChats(doc);
  if (ctx) ctx.progress = { unit: 'messages', done: 0, total: chats.reduce((n, c) => n + c.messages.length, 0) };
  let index = 0;
  for (const chat of chats) {
    const chatId = botApiChatId(chat);
    const chatName = typeof chat.name === 'string' ? chat.name : chatId;
    const rootOf = new Map<number, number>();
    for (const m of chat.messages as unknown[]) {
      checkNotAborted(ctx);
      const i = index++;
      if (ctx) ctx.progress.done++;
      if (!isObject(m)) {
        yield rowError(i, `a Telegram message must be a JSON object (chat ${chatName})`);
        continue;
      }
      if (m.type === 'service') {
        skip(ctx, 'service');
        continue;
      }
      const where = `chat ${chatName}, message ${m.id ?? '?'}`;
      if (m.type !== undefined && m.type !== 'message') {
        yield rowError(i, `unknown message type ${JSON.stringify(m.type).slice(0, 40)} (${where})`, 'type');
        continue;
      }
      const id = typeof m.id === 'number' || typeof m.id === 'string' ? Number(m.id) : NaN;
      const parent = typeof m.reply_to_message_id === 'number' ? m.reply_to_message_id : null;
      const root = parent !== null ? (rootOf.get(parent) ?? parent) : null;
      if (Number.isFinite(id)) rootOf.set(id, root ?? id);

      let text = telegramText(m.text);
      if (text.trim() === '' && isObject(m.poll) && typeof m.poll.question === 'string') text = m.poll.question;
      if (text.trim() === '' && typeof m.sticker_emoji === 'string') text = m.sticker_emoji;
      const content = cut(text);
      const attachments = attachmentsOf(m);
      const metadata: Record<string, unknown> = { chatType: chat.type ?? null };
      if (attachments.length) metadata.attachments = attachments;
      if (parent !== null) metadata.replyToMessageId = `${chatId}:${parent}`;
      if (m.edited_unixtime || m.edited) metadata.editedAt = m.edited_unixtime ? new Date(Number(m.edited_unixtime) * 1000).toISOString() : m.edited;
      if (m.forwarded_from) metadata.forwardedFrom = m.forwarded_from;
      if (m.via_bot) metadata.viaBot = m.via_bot;
      if (Array.isArray(m.reactions)) metadata.reactions = m.reactions.filter(isObject).map((r) => ({ name: r.emoji ?? r.document_id ?? r.type ?? null, count: r.count ?? null }));
      if (content.truncated) metadata.truncated = true;
      yield toRow(
        i,
        {
          externalId: Number.isFinite(id) ? `${chatId}:${m.id}` : undefined,
          content: content.text,
          sentAt: m.date_unixtime ?? m.date,
          author: m.from !== undefined || m.from_id !== undefined ? { name: typeof m.from === 'string' ? m.from : null, externalId: typeof m.from_id === 'string' ? m.from_id : m.from_id != null ? String(m.from_id) : null } : undefined,
          channel: { id: chatId, name: chatName },
          threadId: root !== null ? `${chatId}:${root}` : undefined,
          isReply: parent !== null,
          metadata,
          raw: m,
        },
        where,
      );
    }
  }
}

/** Reads and parses result.json at `path`, refusing files above `max` (IMPORT_JSON_MAX_MB). */
export async function readTelegramExport(path: string, max = TELEGRAM_MAX_BYTES): Promise<unknown> {
  const { size } = await stat(path);
  if (size > max) throw jsonTooLarge('The Telegram export', size, max, 'export the chats one by one');
  try {
    return JSON.parse((await readFile(path)).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`Not a Telegram export: result.json is not valid JSON (${(err as Error).message.slice(0, 200)})`);
  }
}

export async function* telegramExportFileRows(path: string, ctx?: ReadContext): AsyncGenerator<ParsedRow> {
  yield* telegramExportRows(await readTelegramExport(path, ctx?.limits?.jsonMaxBytes), ctx);
}

/**
 * The chat id as the Bot API (webhooks) writes it, so a message imported from a Desktop export
 * and the same message received by webhook have one external id: the export gives supergroups
 * and channels their bare id, the Bot API `-100<id>`; groups are negative there too.
 */
export function botApiChatId(chat: { id?: unknown; type?: unknown; name?: unknown }): string {
  if (chat.id === undefined || chat.id === null) return typeof chat.name === 'string' ? chat.name : 'chat';
  const raw = String(chat.id);
  if (!/^\d+$/.test(raw)) return raw;
  const type = typeof chat.type === 'string' ? chat.type : '';
  if (/supergroup|channel/.test(type)) return `-100${raw}`;
  if (/group/.test(type)) return `-${raw}`;
  return raw;
}
