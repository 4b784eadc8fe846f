import { ignored, isObject, isoFromEpochSeconds, MappedDelivery, messageOf, str, WebhookAction } from './webhook-actions';

/** Subtypes that are a person's (or an app's) message; join/leave/topic notices and the like are not. */
const MESSAGE_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share', 'bot_message', 'me_message']);

/** A Slack message's external id: ts is unique within a channel only. */
export const slackExternalId = (channel: string, ts: string) => `${channel}:${ts}`;

/**
 * Slack Events API envelope -> actions. `url_verification` is the endpoint handshake;
 * `event_callback` message events become messages (thread replies keep thread_ts), and the
 * `message_changed` / `message_deleted` subtypes become edits and deletions. The delivery id is
 * `event_id`: Slack's retries (`X-Slack-Retry-Num`) resend the same one.
 */
export function mapSlack(payload: unknown): MappedDelivery {
  if (!isObject(payload)) return { deliveryId: null, actions: [ignored('not a Slack Events API payload')] };
  if (payload.type === 'url_verification') return { deliveryId: null, actions: [], challenge: String(payload.challenge ?? '') };
  if (payload.type !== 'event_callback' || !isObject(payload.event)) {
    return { deliveryId: null, actions: [ignored(`Slack ${String(payload.type)} envelopes are not used`)] };
  }
  const deliveryId = str(payload.event_id) ? `event:${payload.event_id}` : null;
  return { deliveryId, actions: [eventAction(payload.event, str(payload.team_id))] };
}

function eventAction(event: Record<string, any>, teamId: string | null): WebhookAction {
  if (event.type !== 'message') return ignored(`Slack ${String(event.type)} events are not used`);
  const channel = str(event.channel);
  if (!channel) return ignored('a Slack message event without a channel');
  switch (event.subtype) {
    case 'message_changed': {
      const m = event.message;
      if (!isObject(m) || !str(m.ts)) return ignored('message_changed without the message');
      const externalId = slackExternalId(channel, m.ts);
      // A parent deleted while its thread lives on becomes a tombstone: for us, a deletion.
      if (m.subtype === 'tombstone') return { kind: 'delete', externalId, deletedAt: isoFromEpochSeconds(event.event_ts ?? event.ts) ?? new Date(0).toISOString() };
      const editedAt = isoFromEpochSeconds(m.edited?.ts ?? event.event_ts ?? event.ts);
      if (typeof m.text !== 'string' || !editedAt) return ignored('message_changed without text');
      return { kind: 'edit', externalId, content: m.text, editedAt };
    }
    case 'message_deleted': {
      const ts = str(event.deleted_ts);
      const deletedAt = isoFromEpochSeconds(event.event_ts ?? event.ts);
      if (!ts || !deletedAt) return ignored('message_deleted without deleted_ts');
      return { kind: 'delete', externalId: slackExternalId(channel, ts), deletedAt };
    }
    default:
      if (!MESSAGE_SUBTYPES.has(event.subtype)) return ignored(`Slack message subtype ${String(event.subtype)} is not a message`);
      return messageOf(messageItem(event, channel, teamId));
  }
}

function messageItem(event: Record<string, any>, channel: string, teamId: string | null): Record<string, unknown> {
  const ts = String(event.ts);
  const threadTs = str(event.thread_ts);
  const files = Array.isArray(event.files) ? event.files.filter(isObject) : [];
  const profile = isObject(event.user_profile) ? event.user_profile : {};
  const authorId = str(event.user) ?? str(event.bot_id);
  return {
    externalId: slackExternalId(channel, ts),
    content: typeof event.text === 'string' ? event.text : '',
    sentAt: ts,
    channel: { id: channel, name: null },
    // As the export import does: the thread is the parent's external id (a parent has thread_ts = ts once it has replies).
    threadId: threadTs ? slackExternalId(channel, threadTs) : null,
    isReply: threadTs !== null && threadTs !== ts,
    author: authorId || profile.real_name || event.username
      ? { externalId: authorId, name: str(profile.real_name) ?? str(profile.display_name) ?? str(event.username) }
      : undefined,
    metadata: {
      channelType: event.channel_type ?? null,
      subtype: event.subtype ?? null,
      teamId: str(event.team) ?? teamId,
      ...(threadTs ? { threadTs, parentUserId: event.parent_user_id ?? null } : {}),
      ...(files.length ? { attachments: files.map((f: Record<string, any>) => ({ id: f.id ?? null, name: f.name ?? null, mimetype: f.mimetype ?? null, url: f.url_private ?? null })) } : {}),
      ...(Array.isArray(event.reactions) ? { reactions: event.reactions } : {}),
    },
    raw: event,
  };
}
