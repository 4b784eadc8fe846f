import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapSlack } from './slack.mapper';

const fixture = (name: string) => JSON.parse(readFileSync(join(process.cwd(), 'test/support/fixtures/webhooks', name), 'utf8'));

describe('Slack Events API -> actions', () => {
  it('answers the url_verification handshake with its challenge and stores nothing', () => {
    expect(mapSlack(fixture('slack-url-verification.json'))).toEqual({ deliveryId: null, actions: [], challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('maps a channel message: external id channel:ts, time from ts, the event_id as delivery id', () => {
    const out = mapSlack(fixture('slack-message.json'));
    expect(out.deliveryId).toBe('event:Ev08MFMKH6PQ');
    expect(out.actions).toEqual([
      {
        kind: 'message',
        message: expect.objectContaining({
          externalId: 'C123ABC456:1772445600.000100',
          content: 'Customers keep asking for SSO with Okta before they renew',
          sentAt: '2026-03-02T10:00:00.000Z',
          channelId: 'C123ABC456',
          threadId: null,
          isReply: false,
          author: { name: null, email: null, externalId: 'U123ABC456' },
          metadata: expect.objectContaining({ channelType: 'channel', teamId: 'T123ABC456' }),
          raw: expect.objectContaining({ client_msg_id: '5b6c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e' }),
        }),
      },
    ]);
  });

  it('keeps a thread reply in its parent thread (thread_ts)', () => {
    const [a] = mapSlack(fixture('slack-thread-reply.json')).actions;
    expect(a).toMatchObject({ kind: 'message', message: { externalId: 'C123ABC456:1772445720.000200', threadId: 'C123ABC456:1772445600.000100', isReply: true, metadata: { threadTs: '1772445600.000100', parentUserId: 'U123ABC456' } } });
  });

  it('turns message_changed into an edit of the original message and message_deleted into a deletion', () => {
    expect(mapSlack(fixture('slack-message-changed.json')).actions).toEqual([
      { kind: 'edit', externalId: 'C123ABC456:1772445600.000100', content: 'Customers keep asking for SSO with Okta and Azure AD before they renew', editedAt: '2026-03-02T10:05:00.000Z' },
    ]);
    expect(mapSlack(fixture('slack-message-deleted.json')).actions).toEqual([{ kind: 'delete', externalId: 'C123ABC456:1772445720.000200', deletedAt: '2026-03-02T10:06:40.000Z' }]);
  });

  it('reads a tombstone (a deleted parent whose thread lives on) as a deletion', () => {
    const p = fixture('slack-message-changed.json');
    p.event.message = { ...p.event.message, subtype: 'tombstone', text: 'This message was deleted.' };
    expect(mapSlack(p).actions).toEqual([{ kind: 'delete', externalId: 'C123ABC456:1772445600.000100', deletedAt: '2026-03-02T10:05:00.000Z' }]);
  });

  it('ignores channel notices, other event types and non-Slack bodies, with a reason', () => {
    const join = fixture('slack-message.json');
    join.event = { ...join.event, subtype: 'channel_join', text: '<@U123> has joined the channel' };
    expect(mapSlack(join).actions).toEqual([{ kind: 'ignored', reason: expect.stringContaining('channel_join') }]);
    const reaction = fixture('slack-message.json');
    reaction.event = { type: 'reaction_added', user: 'U1', reaction: 'thumbsup', item: {}, event_ts: '1' };
    expect(mapSlack(reaction).actions).toEqual([{ kind: 'ignored', reason: expect.stringContaining('reaction_added') }]);
    expect(mapSlack([1, 2]).actions[0].kind).toBe('ignored');
  });

  it('keeps files as attachments, so a file-only message is still a message', () => {
    const p = fixture('slack-message.json');
    p.event = { ...p.event, subtype: 'file_share', text: '', files: [{ id: 'F1', name: 'roadmap.pdf', mimetype: 'application/pdf', url_private: 'https://files.slack.com/F1' }] };
    expect(mapSlack(p).actions).toEqual([
      { kind: 'message', message: expect.objectContaining({ content: '', metadata: expect.objectContaining({ attachments: [{ id: 'F1', name: 'roadmap.pdf', mimetype: 'application/pdf', url: 'https://files.slack.com/F1' }] }) }) },
    ]);
  });
});
