import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapTelegram } from './telegram.mapper';

const fixture = (name: string) => JSON.parse(readFileSync(join(process.cwd(), 'test/support/fixtures/webhooks', name), 'utf8'));

describe('Telegram Update -> actions', () => {
  it('maps a group message: external id chat.id:message_id, the reply as thread, update_id as delivery id', () => {
    const out = mapTelegram(fixture('telegram-message.json'));
    expect(out.deliveryId).toBe('update:912345678');
    expect(out.actions).toEqual([
      {
        kind: 'message',
        message: expect.objectContaining({
          externalId: '-1001987654321:4021',
          content: 'Yes, the export stops at 10k rows; a streaming export is planned for Q3',
          sentAt: '2026-03-02T11:00:00.000Z',
          channelId: '-1001987654321',
          channelName: 'Acme x Initech support',
          threadId: '-1001987654321:4019',
          isReply: true,
          author: { name: 'Ada Moreau', email: null, externalId: '123456789' },
          metadata: expect.objectContaining({ chatType: 'supergroup', replyToMessageId: '-1001987654321:4019' }),
        }),
      },
    ]);
    // The replied-to message (another person's words and name) is not kept in this one's raw payload.
    const raw = (out.actions[0] as any).message.raw;
    expect(raw.reply_to_message).toEqual({ message_id: 4019 });
  });

  it('maps an edited message to an edit at edit_date', () => {
    expect(mapTelegram(fixture('telegram-edited-message.json'))).toEqual({
      deliveryId: 'update:912345679',
      actions: [{ kind: 'edit', externalId: '-1001987654321:4021', content: 'Yes, the export stops at 10k rows; a streaming export ships in Q3', editedAt: '2026-03-02T11:01:00.000Z' }],
    });
  });

  it('maps a channel post: the caption is the text, the channel (or its signature) the author, the photo an attachment', () => {
    const [a] = mapTelegram(fixture('telegram-channel-post.json')).actions;
    expect(a).toMatchObject({
      kind: 'message',
      message: {
        externalId: '-1001122334455:88',
        content: 'Release 4.2: SAML single sign-on is now available on every plan',
        channelName: 'Acme release notes',
        isReply: false,
        threadId: null,
        author: { name: 'Product team', externalId: 'chat:-1001122334455' },
        metadata: { chatType: 'channel', attachments: [{ type: 'photo', fileId: 'AgACAgQAAxkBAAIBWGV1' }] },
      },
    });
  });

  it('ignores updates that are not messages, and service messages without text', () => {
    expect(mapTelegram({ update_id: 5, my_chat_member: {} }).actions).toEqual([{ kind: 'ignored', reason: expect.stringContaining('my_chat_member') }]);
    const join = fixture('telegram-message.json');
    join.message = { message_id: 1, chat: join.message.chat, date: 1772449200, from: join.message.from, new_chat_members: [{ id: 1 }] };
    expect(mapTelegram(join).actions[0].kind).toBe('ignored');
    expect(mapTelegram({ hello: 'world' }).actions[0].kind).toBe('ignored');
  });
});
