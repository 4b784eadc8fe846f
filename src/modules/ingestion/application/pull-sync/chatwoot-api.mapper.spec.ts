import { mapChatwoot } from '@modules/ingestion/application/webhooks/chatwoot.mapper';
import { chatwootContact, chatwootConversation, chatwootMessage } from './chatwoot-api.mapper';
import { canonical } from './sync-runner';

const conversation = {
  id: 42,
  inbox_id: 3,
  status: 'open',
  timestamp: 1767225720,
  last_activity_at: 1767225720,
  messages: [],
  meta: { sender: { id: 9, name: 'Dana Scully', email: 'dana@fbi.example', phone_number: '+33123456789', identifier: null, custom_attributes: { plan: 'pro' }, type: 'contact' }, assignee: { id: 7, name: 'Agent Smith' }, channel: 'Channel::Api' },
};

/** The REST form of a message (integer message_type, epoch seconds, sender_type). */
const rest = {
  id: 1001,
  content: 'Can I export to CSV?',
  inbox_id: 3,
  conversation_id: 42,
  message_type: 0,
  created_at: 1767225600,
  private: false,
  content_type: 'text',
  source_id: null,
  sender_type: 'Contact',
  sender_id: 9,
  sender: { id: 9, name: 'Dana Scully', email: 'dana@fbi.example', type: 'contact' },
};

describe('Chatwoot REST -> messages (same ids as the webhook)', () => {
  it('maps a REST message to the message the message_created webhook makes of it', () => {
    const synced = chatwootMessage(rest, conversation);
    const hooked = mapChatwoot({ ...rest, event: 'message_created', message_type: 'incoming', created_at: '2026-01-01T00:00:00.000Z', conversation: { id: 42, inbox_id: 3, status: 'open' }, inbox: { id: 3, name: 'API' } }, '2026-01-01T00:05:00Z').actions[0];
    expect(synced.kind).toBe('message');
    expect(hooked.kind).toBe('message');
    if (synced.kind !== 'message' || hooked.kind !== 'message') return;
    const pick = (m: typeof synced.message) => ({ externalId: m.externalId, sentAt: m.sentAt, threadId: m.threadId, conversationId: m.conversationId, author: m.author, content: m.content, channelId: m.channelId });
    expect(pick(synced.message)).toEqual(pick(hooked.message));
    expect(synced.message).toMatchObject({ externalId: '1001', threadId: '42', author: { externalId: 'contact:9', name: 'Dana Scully', email: 'dana@fbi.example' }, sentAt: '2026-01-01T00:00:00.000Z' });
    expect(synced.message.metadata).toMatchObject({ messageType: 'incoming', private: false, senderType: 'contact', conversationStatus: 'open' });
  });

  it('skips activity lines and empty messages; spells REST sender types as webhooks do', () => {
    expect(chatwootMessage({ ...rest, message_type: 2, sender: null }, conversation)).toMatchObject({ kind: 'skipped' });
    expect(chatwootMessage({ ...rest, content: '  ' }, conversation)).toMatchObject({ kind: 'skipped' });
    const bot = chatwootMessage({ ...rest, message_type: 1, sender: undefined, sender_type: 'AgentBot', sender_id: 4 }, conversation);
    expect(bot).toMatchObject({ kind: 'message', message: { author: { externalId: 'agent_bot:4' }, metadata: { messageType: 'outgoing' } } });
    const withFile = chatwootMessage({ ...rest, content: '', attachments: [{ id: 5, file_type: 'image', data_url: 'https://cw.example/f.png' }] }, conversation);
    expect(withFile).toMatchObject({ kind: 'message', message: { metadata: { attachments: [{ id: 5, fileType: 'image', url: 'https://cw.example/f.png' }] } } });
  });

  it('makes a conversation update without the contact\'s identity, and the contact of its own', () => {
    const { conversation: c, contact } = chatwootConversation(conversation, '2026-01-01T00:10:00.000Z');
    expect(c).toMatchObject({ externalId: '42', status: 'open', inboxId: '3', assigneeId: '7', contactExternalId: '9', updatedAt: '2026-01-01T00:02:00.000Z' });
    expect(JSON.stringify(c!.raw)).not.toContain('dana@fbi.example');
    expect(contact).toMatchObject({ externalId: '9', name: 'Dana Scully', email: 'dana@fbi.example', phone: '+33123456789', customAttributes: { plan: 'pro' } });
    expect(chatwootContact({ id: 10, name: 'No Mail', email: null }, 'x')).toMatchObject({ externalId: '10', email: null, customAttributes: {} });
  });

  it('compares payloads whatever the key order (a jsonb round trip)', () => {
    expect(canonical({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonical({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
  });
});
