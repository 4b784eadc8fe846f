import { ignored, isObject, isoFromEpochSeconds, MappedDelivery, messageOf, str, WebhookAction } from './webhook-actions';

/** Message ids are unique per chat only: the external id is `<chat.id>:<message_id>`. */
export const telegramExternalId = (chatId: string, messageId: string) => `${chatId}:${messageId}`;

const ATTACHMENTS = ['photo', 'document', 'video', 'voice', 'audio', 'animation', 'video_note', 'sticker'] as const;

/**
 * Telegram Bot API Update -> actions: `message` and `channel_post` become messages,
 * `edited_message` and `edited_channel_post` edits. Other update kinds (callback queries, member
 * changes, polls...) are not conversations. The delivery id is `update_id`: Telegram repeats it
 * when it redelivers an update it got no 2xx for.
 */
export function mapTelegram(payload: unknown): MappedDelivery {
  if (!isObject(payload) || typeof payload.update_id !== 'number') return { deliveryId: null, actions: [ignored('not a Telegram Update')] };
  const deliveryId = `update:${payload.update_id}`;
  const message = payload.message ?? payload.channel_post;
  if (isObject(message)) return { deliveryId, actions: [newMessage(message)] };
  const edited = payload.edited_message ?? payload.edited_channel_post;
  if (isObject(edited)) return { deliveryId, actions: [edit(edited)] };
  const kind = Object.keys(payload).find((k) => k !== 'update_id') ?? 'empty';
  return { deliveryId, actions: [ignored(`Telegram ${kind} updates are not used`)] };
}

function newMessage(m: Record<string, any>): WebhookAction {
  const chat = isObject(m.chat) ? m.chat : {};
  const chatId = str(chat.id);
  const messageId = str(m.message_id);
  if (!chatId || !messageId) return ignored('a Telegram message without chat.id or message_id');
  const attachments = ATTACHMENTS.filter((k) => m[k] !== undefined).map((type) => attachmentOf(type, m[type]));
  const reply = isObject(m.reply_to_message) ? str(m.reply_to_message.message_id) : null;
  const topic = m.is_topic_message && str(m.message_thread_id) ? str(m.message_thread_id) : null;
  return messageOf({
    externalId: telegramExternalId(chatId, messageId),
    content: typeof m.text === 'string' ? m.text : typeof m.caption === 'string' ? m.caption : '',
    sentAt: m.date,
    channel: { id: chatId, name: chatNameOf(chat) },
    // Forum topics are threads; elsewhere a reply hangs off the message it answers.
    threadId: topic ? `${chatId}:topic:${topic}` : reply ? telegramExternalId(chatId, reply) : null,
    isReply: reply !== null,
    author: authorOf(m),
    metadata: {
      chatType: chat.type ?? null,
      ...(attachments.length ? { attachments } : {}),
      ...(reply ? { replyToMessageId: telegramExternalId(chatId, reply) } : {}),
      ...(m.forward_origin ? { forwarded: true } : {}),
    },
    // The replied-to message is another person's: only its id is kept with this one.
    raw: reply ? { ...m, reply_to_message: { message_id: m.reply_to_message.message_id } } : m,
  });
}

function edit(m: Record<string, any>): WebhookAction {
  const chatId = isObject(m.chat) ? str(m.chat.id) : null;
  const messageId = str(m.message_id);
  const editedAt = isoFromEpochSeconds(m.edit_date ?? m.date);
  const content = typeof m.text === 'string' ? m.text : typeof m.caption === 'string' ? m.caption : null;
  if (!chatId || !messageId || !editedAt || content === null) return ignored('an edited Telegram message without text');
  return { kind: 'edit', externalId: telegramExternalId(chatId, messageId), content, editedAt };
}

function authorOf(m: Record<string, any>) {
  if (isObject(m.from)) {
    const name = [m.from.first_name, m.from.last_name].filter((x) => typeof x === 'string' && x).join(' ');
    return { externalId: str(m.from.id), name: name || str(m.from.username) };
  }
  // Channel posts have no user: the channel (or the signed author) speaks.
  if (isObject(m.sender_chat)) return { externalId: `chat:${m.sender_chat.id}`, name: str(m.author_signature) ?? str(m.sender_chat.title) };
  return undefined;
}

function chatNameOf(chat: Record<string, any>): string | null {
  if (str(chat.title)) return chat.title;
  if (str(chat.username)) return `@${chat.username}`;
  const name = [chat.first_name, chat.last_name].filter((x) => typeof x === 'string' && x).join(' ');
  return name || null;
}

function attachmentOf(type: string, v: unknown) {
  // Photos come as sizes, smallest first: the largest is the photo.
  const f = Array.isArray(v) ? v[v.length - 1] : v;
  return isObject(f) ? { type, fileId: f.file_id ?? null, fileName: f.file_name ?? null, mimeType: f.mime_type ?? null } : { type };
}
