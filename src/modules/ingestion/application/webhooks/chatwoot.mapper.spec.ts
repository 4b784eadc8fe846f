import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chatwootTime, mapChatwoot, messageTypeName } from './chatwoot.mapper';

const fixture = (name: string) => JSON.parse(readFileSync(join(process.cwd(), 'test/support/fixtures/webhooks', name), 'utf8'));
const AT = '2026-03-02T12:00:00.000Z';

describe('Chatwoot webhook -> actions', () => {
  it('maps message_created: the top-level string message_type, the sender typed, the conversation as thread', () => {
    const p = fixture('chatwoot-message-created.json');
    // The trap: inside conversation.messages the same field is an integer.
    expect(typeof p.message_type).toBe('string');
    expect(typeof p.conversation.messages[0].message_type).toBe('number');
    const [a] = mapChatwoot(p, AT).actions;
    expect(a).toEqual({
      kind: 'message',
      message: expect.objectContaining({
        externalId: '9120',
        content: 'Hi! Our invoices show the wrong VAT number since the last update.',
        sentAt: '2026-03-02T10:58:12.402Z',
        channelId: '3',
        channelName: 'Acme Support',
        conversationId: '571',
        threadId: '571',
        author: { name: 'Mia Chen', email: 'mia.chen@initech.example', externalId: 'contact:1204' },
        metadata: expect.objectContaining({ messageType: 'incoming', contentType: 'text', private: false, senderType: 'contact' }),
      }),
    });
    // The message keeps its own payload, not the conversation's contact and other messages.
    expect((a as any).message.raw.conversation).toEqual({ id: 571, inbox_id: 3, status: 'open' });
  });

  it('skips activity messages, whatever form message_type takes', () => {
    const p = fixture('chatwoot-message-created.json');
    expect(mapChatwoot({ ...p, message_type: 'activity', content: 'Conversation was resolved by John' }, AT).actions[0].kind).toBe('ignored');
    expect(mapChatwoot({ ...p, message_type: 2, content: 'Conversation was resolved by John' }, AT).actions[0].kind).toBe('ignored');
    expect(messageTypeName(0)).toBe('incoming');
    expect(messageTypeName('outgoing')).toBe('outgoing');
  });

  it('maps message_updated to an edit, or to a deletion when content_attributes.deleted', () => {
    expect(mapChatwoot(fixture('chatwoot-message-updated.json'), AT).actions).toEqual([
      { kind: 'edit', externalId: '9120', content: 'Hi! Our invoices show the wrong VAT number (DE811907980) since the 4.1 update.', editedAt: AT },
    ]);
    expect(mapChatwoot(fixture('chatwoot-message-deleted.json'), AT).actions).toEqual([{ kind: 'delete', externalId: '9120', deletedAt: AT }]);
  });

  it('maps conversation_created to the conversation and its contact; the conversation keeps no personal data', () => {
    const actions = mapChatwoot(fixture('chatwoot-conversation-created.json'), AT).actions;
    expect(actions).toEqual([
      {
        kind: 'conversation',
        conversation: { externalId: '571', status: 'open', inboxId: '3', assigneeId: '3', contactExternalId: '1204', raw: expect.any(Object), updatedAt: '2026-03-02T10:58:12.000Z' },
      },
      {
        kind: 'contact',
        contact: expect.objectContaining({ externalId: '1204', name: 'Mia Chen', email: 'mia.chen@initech.example', phone: '+4915112345678', customAttributes: { plan: 'enterprise' }, seenAt: AT }),
      },
    ]);
    const raw = JSON.stringify((actions[0] as any).conversation.raw);
    for (const personal of ['Mia Chen', 'mia.chen@initech.example', '+4915112345678', 'John Agent', 'wrong VAT', '7c0c5a1e', 'billing']) {
      if (personal === 'billing') expect(raw).toContain(personal); // labels are the team's, kept
      else expect(raw).not.toContain(personal);
    }
  });

  it('maps conversation_status_changed (its timestamp dates it) and contact events', () => {
    expect(mapChatwoot(fixture('chatwoot-conversation-status-changed.json'), AT).actions).toEqual([
      { kind: 'conversation', conversation: expect.objectContaining({ externalId: '571', status: 'resolved', updatedAt: '2026-03-02T11:58:12.000Z' }) },
    ]);
    expect(mapChatwoot(fixture('chatwoot-contact-created.json'), AT).actions).toEqual([
      { kind: 'contact', contact: expect.objectContaining({ externalId: '1204', name: 'Mia Chen', identifier: 'crm-000731', raw: expect.objectContaining({ event: 'contact_created' }) }) },
    ]);
    expect(mapChatwoot(fixture('chatwoot-contact-updated.json'), AT).actions).toEqual([{ kind: 'contact', contact: expect.objectContaining({ externalId: '1204', name: 'Mia Chen-Lehmann' }) }]);
  });

  it('ignores events it does not use, and reads every Chatwoot time format', () => {
    expect(mapChatwoot({ event: 'conversation_typing_on' }, AT).actions).toEqual([{ kind: 'ignored', reason: expect.stringContaining('conversation_typing_on') }]);
    expect(mapChatwoot('nope', AT).actions[0].kind).toBe('ignored');
    expect(chatwootTime('2020-03-03 13:05:57 UTC')).toBe('2020-03-03T13:05:57.000Z');
    expect(chatwootTime('2021-07-23T18:02:48.000Z')).toBe('2021-07-23T18:02:48.000Z');
    expect(chatwootTime(1627063369)).toBe('2021-07-23T18:02:49.000Z');
    expect(chatwootTime('soon')).toBeNull();
  });
});
