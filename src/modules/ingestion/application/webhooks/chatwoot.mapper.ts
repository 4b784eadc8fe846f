import { ContactInput, ConversationInput } from '@modules/ingestion/infrastructure/conversation-writer';
import { ignored, isObject, isoFromEpochSeconds, MappedDelivery, messageOf, str, validEmail, WebhookAction } from './webhook-actions';

/** `message_type` is a string at the top of a message event but an integer inside `conversation.messages`. */
const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity', 'template'] as const;
export function messageTypeName(v: unknown): string | null {
  if (typeof v === 'number') return MESSAGE_TYPES[v] ?? null;
  return typeof v === 'string' ? v : null;
}

const CONVERSATION_EVENTS = new Set(['conversation_created', 'conversation_updated', 'conversation_status_changed', 'conversation_opened', 'conversation_resolved']);

/**
 * Chatwoot webhook -> actions: `message_created` a message, `message_updated` an edit (or a
 * deletion: Chatwoot keeps deleted messages with `content_attributes.deleted`), conversation
 * events a conversation update (plus the contact it is with, on creation), contact events a
 * source contact. Activity messages ("Conversation was resolved by ...") are not conversation
 * content. `receivedAt` dates what the payload does not date.
 */
export function mapChatwoot(payload: unknown, receivedAt: string): MappedDelivery {
  if (!isObject(payload) || typeof payload.event !== 'string') return { deliveryId: null, actions: [ignored('not a Chatwoot webhook')] };
  const event = payload.event;
  if (event === 'message_created') return { deliveryId: null, actions: [messageCreated(payload)] };
  if (event === 'message_updated') return { deliveryId: null, actions: [messageUpdated(payload, receivedAt)] };
  if (CONVERSATION_EVENTS.has(event)) {
    const actions: WebhookAction[] = [{ kind: 'conversation', conversation: conversationOf(payload, receivedAt) }];
    const sender = payload.meta?.sender;
    if (event === 'conversation_created' && isObject(sender) && sender.type === 'contact' && str(sender.id)) actions.push({ kind: 'contact', contact: contactOf(sender, receivedAt) });
    return { deliveryId: null, actions };
  }
  if (event === 'contact_created' || event === 'contact_updated') {
    return { deliveryId: null, actions: str(payload.id) ? [{ kind: 'contact', contact: contactOf(payload, receivedAt) }] : [ignored('a contact without id')] };
  }
  return { deliveryId: null, actions: [ignored(`Chatwoot ${event} events are not used`)] };
}

function messageCreated(p: Record<string, any>): WebhookAction {
  const type = messageTypeName(p.message_type);
  if (type === 'activity') return ignored('Chatwoot activity messages are not conversation content');
  const conversation = isObject(p.conversation) ? p.conversation : {};
  const conversationId = str(conversation.id);
  const sender = isObject(p.sender) ? p.sender : null;
  const attachments = Array.isArray(p.attachments) ? p.attachments.filter(isObject) : [];
  return messageOf({
    externalId: str(p.id),
    content: typeof p.content === 'string' ? p.content : '',
    sentAt: chatwootTime(p.created_at),
    channel: isObject(p.inbox) ? { id: str(p.inbox.id), name: str(p.inbox.name) } : undefined,
    conversationId,
    threadId: conversationId,
    isReply: false,
    // Agents and contacts are numbered separately in Chatwoot: the type is part of the id.
    author: sender ? { externalId: `${sender.type ?? 'sender'}:${sender.id}`, name: str(sender.name), email: validEmail(sender.email) } : undefined,
    metadata: {
      messageType: type,
      contentType: p.content_type ?? null,
      private: p.private === true,
      senderType: sender?.type ?? null,
      sourceId: p.source_id ?? null,
      conversationStatus: conversation.status ?? null,
      ...(attachments.length ? { attachments: attachments.map((a: Record<string, any>) => ({ id: a.id ?? null, fileType: a.file_type ?? null, url: a.data_url ?? null })) } : {}),
    },
    // The conversation's contact and its other messages are not this message's: only the conversation id is kept.
    raw: { ...p, conversation: { id: conversation.id ?? null, inbox_id: conversation.inbox_id ?? null, status: conversation.status ?? null } },
  });
}

function messageUpdated(p: Record<string, any>, receivedAt: string): WebhookAction {
  const externalId = str(p.id);
  if (!externalId) return ignored('message_updated without id');
  if (isObject(p.content_attributes) && p.content_attributes.deleted) return { kind: 'delete', externalId, deletedAt: receivedAt };
  if (typeof p.content !== 'string') return ignored('message_updated without content');
  return { kind: 'edit', externalId, content: p.content, editedAt: receivedAt };
}

function conversationOf(p: Record<string, any>, receivedAt: string): ConversationInput {
  const meta = isObject(p.meta) ? p.meta : {};
  return {
    externalId: String(p.id),
    status: str(p.status),
    inboxId: str(p.inbox_id),
    assigneeId: isObject(meta.assignee) ? str(meta.assignee.id) : null,
    contactExternalId: isObject(meta.sender) ? str(meta.sender.id) : null,
    raw: conversationRaw(p),
    updatedAt: isoFromEpochSeconds(p.timestamp) ?? chatwootTime(p.updated_at) ?? receivedAt,
  };
}

/**
 * The conversation event is not personal data (no subject to erase), so it keeps the
 * conversation's own facts only: the contact's identity lives in its source-contact event (sealed
 * per contact), message text in message events, browser details and the widget's source id nowhere.
 */
function conversationRaw(p: Record<string, any>) {
  const meta = isObject(p.meta) ? p.meta : {};
  const keep = ['id', 'account_id', 'inbox_id', 'status', 'channel', 'can_reply', 'priority', 'labels', 'custom_attributes', 'snoozed_until', 'unread_count',
    'first_reply_created_at', 'waiting_since', 'agent_last_seen_at', 'contact_last_seen_at', 'last_activity_at', 'timestamp', 'created_at', 'changed_attributes', 'event'];
  return {
    ...Object.fromEntries(keep.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])),
    meta: {
      sender: isObject(meta.sender) ? { id: meta.sender.id ?? null, type: meta.sender.type ?? null } : null,
      assignee: isObject(meta.assignee) ? { id: meta.assignee.id ?? null, type: meta.assignee.type ?? null } : null,
      team: isObject(meta.team) ? { id: meta.team.id ?? null, name: meta.team.name ?? null } : null,
    },
  };
}

function contactOf(c: Record<string, any>, seenAt: string): ContactInput {
  return {
    externalId: String(c.id),
    name: str(c.name),
    email: str(c.email),
    phone: str(c.phone_number),
    identifier: str(c.identifier),
    customAttributes: isObject(c.custom_attributes) ? c.custom_attributes : {},
    raw: c,
    seenAt,
  };
}

/** "2021-07-23T18:02:48.000Z", "2020-03-03 13:05:57 UTC" or epoch seconds, as ISO 8601. */
export function chatwootTime(v: unknown): string | null {
  if (typeof v === 'number') return isoFromEpochSeconds(v);
  if (typeof v !== 'string') return null;
  const t = Date.parse(v.replace(/ UTC$/, 'Z').replace(/^(\d{4}-\d\d-\d\d) /, '$1T'));
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

