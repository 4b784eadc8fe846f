import type { ChatwootContact, ChatwootConversation, ChatwootMessage } from '@modules/ingestion/infrastructure/connectors/chatwoot.client';
import type { ContactInput, ConversationInput } from '@modules/ingestion/infrastructure/conversation-writer';
import { chatwootTime, mapChatwoot, messageTypeName } from '@modules/ingestion/application/webhooks/chatwoot.mapper';
import { isObject, messageOf, str, validEmail } from '@modules/ingestion/application/webhooks/webhook-actions';
import { fromAction, Mapped } from './sync-runner';

/** REST spells the sender's type `Contact` / `User` / `AgentBot`; the sender object (and webhooks) `contact` / `user` / `agent_bot`. */
const senderTypeOf = (m: ChatwootMessage): string | null =>
  str(m.sender?.type) ?? (m.sender_type ? m.sender_type.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() : null);

/**
 * A message of Chatwoot's REST API as the one message model, with exactly the ids and fields the
 * `message_created` webhook gives it (webhooks/chatwoot.mapper.ts): external id = message id,
 * author `<sender type>:<sender id>`, thread = conversation display id. So a message that
 * arrives both ways is one message. Activity lines are not conversation content (skipped);
 * REST's `message_type` is the integer form.
 */
export function chatwootMessage(m: ChatwootMessage, c: ChatwootConversation): Mapped {
  const type = messageTypeName(m.message_type);
  if (type === 'activity') return { kind: 'skipped', reason: 'Chatwoot activity messages are not conversation content' };
  const conversationId = str(c.id);
  const sender = isObject(m.sender) ? m.sender : null;
  const senderType = senderTypeOf(m);
  const senderId = str(sender?.id) ?? str(m.sender_id);
  const inboxId = str(m.inbox_id) ?? str(c.inbox_id);
  const attachments = (Array.isArray(m.attachments) ? m.attachments : []).filter(isObject);
  return fromAction(
    messageOf({
      externalId: str(m.id),
      content: typeof m.content === 'string' ? m.content : '',
      sentAt: chatwootTime(m.created_at),
      channel: inboxId ? { id: inboxId, name: null } : undefined,
      conversationId,
      threadId: conversationId,
      isReply: false,
      author: senderId ? { externalId: `${senderType ?? 'sender'}:${senderId}`, name: str(sender?.name), email: validEmail(sender?.email) } : undefined,
      metadata: {
        messageType: type,
        contentType: m.content_type ?? null,
        private: m.private === true,
        senderType,
        sourceId: m.source_id ?? null,
        conversationStatus: c.status ?? null,
        ...(attachments.length ? { attachments: attachments.map((a: Record<string, any>) => ({ id: a.id ?? null, fileType: a.file_type ?? null, url: a.data_url ?? null })) } : {}),
      },
      raw: { ...m, conversation: { id: c.id ?? null, inbox_id: c.inbox_id ?? null, status: c.status ?? null } },
    }),
  );
}

/**
 * A conversation of the REST list as the webhook's conversation update (the same privacy cut of
 * its raw payload: the contact's identity goes to its own, sealed, contact event) and its contact.
 */
export function chatwootConversation(c: ChatwootConversation, seenAt: string): { conversation: ConversationInput | null; contact: ContactInput | null } {
  const mapped = mapChatwoot({ ...c, event: 'conversation_updated' }, seenAt).actions.find((a) => a.kind === 'conversation');
  const sender = c.meta?.sender;
  return {
    conversation: mapped?.kind === 'conversation' ? mapped.conversation : null,
    contact: isObject(sender) && str(sender.id) ? chatwootContact(sender as ChatwootContact, seenAt) : null,
  };
}

export function chatwootContact(c: ChatwootContact, seenAt: string): ContactInput {
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
