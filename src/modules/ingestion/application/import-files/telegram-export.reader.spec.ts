import { readFileSync } from 'node:fs';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import { TELEGRAM_RESULT_JSON } from '@test/support/fixtures/exports';
import { readContext } from './read-context';
import { readTelegramExport, telegramExportRows, telegramText } from './telegram-export.reader';

describe('Telegram export reader', () => {
  const doc = () => JSON.parse(readFileSync(TELEGRAM_RESULT_JSON, 'utf8'));
  const read = (d: unknown) => {
    const ctx = readContext();
    return { rows: [...telegramExportRows(d, ctx)], ctx };
  };
  const messages = (rows: ParsedRow[]) => rows.filter((r): r is { index: number; message: IncomingMessage } => 'message' in r).map((r) => r.message);

  it('reads a chat: ids, authors, entity text flattened, reply chains to their root, media listed; service messages skipped, not rejected', () => {
    const { rows, ctx } = read(doc());
    expect(rows.map((r) => r.index)).toEqual([1, 2, 3, 4, 6]);
    const [first, second, third, photo] = messages(rows);
    expect(first).toEqual(expect.objectContaining({
      externalId: '-1001987654321:2',
      content: 'Roadmap review tomorrow: bring the churn numbers',
      sentAt: '2026-03-02T10:00:00.000Z',
      channelId: '-1001987654321',
      channelName: 'Product Council',
      threadId: null,
      isReply: false,
      author: { name: 'Dana Scully', email: null, externalId: 'user111' },
    }));
    expect(second).toEqual(expect.objectContaining({
      externalId: '-1001987654321:3',
      content: 'Can we add SSO to it? Spec: https://docs.acme.example/sso and the pricing page (https://acme.example/pricing)',
      threadId: '-1001987654321:2',
      isReply: true,
      metadata: expect.objectContaining({ replyToMessageId: '-1001987654321:2', reactions: [{ name: '👍', count: 2 }], chatType: 'private_supergroup' }),
    }));
    // A reply to a reply belongs to the thread of the first message.
    expect(third).toEqual(expect.objectContaining({ threadId: '-1001987654321:2', isReply: true, metadata: expect.objectContaining({ replyToMessageId: '-1001987654321:3', editedAt: '2026-03-02T10:03:00.000Z' }) }));
    expect(photo).toEqual(expect.objectContaining({ content: '', metadata: expect.objectContaining({ attachments: [{ name: 'photo_1@02-03-2026_10-05-00.jpg', type: 'image', size: 5120 }] }) }));
    const bad = rows.find((r) => r.index === 6) as { parseError: { field: string; message: string }[] };
    expect(bad.parseError).toEqual([expect.objectContaining({ field: 'sentAt', message: expect.stringContaining('chat Product Council, message 7') })]);
    expect(ctx.skipped).toEqual({ service: 2 });
    expect(ctx.progress).toEqual({ unit: 'messages', done: 7, total: 7 });
  });

  it("reads a whole account's export (chats.list), numbering rows across chats", () => {
    const chat = doc();
    const other = { name: 'Fox Mulder', type: 'personal_chat', id: 222, messages: [{ id: 10, type: 'message', date_unixtime: '1772445600', from: 'Fox Mulder', from_id: 'user222', text: 'hi' }] };
    const { rows } = read({ about: 'Here is the data you requested', chats: { about: '', list: [chat, other] } });
    expect(messages(rows).map((m) => m.externalId)).toEqual(['-1001987654321:2', '-1001987654321:3', '-1001987654321:4', '-1001987654321:5', '222:10']);
    expect(rows[rows.length - 1].index).toBe(7);
  });

  it('reads a message that has only `date` (local time of the exporting machine, no zone) as UTC, and prefers date_unixtime', () => {
    const chat = (messages: unknown[]) => ({ name: 'Old export', type: 'personal_chat', id: 333, messages });
    const { rows } = read(chat([
      { id: 1, type: 'message', date: '2019-05-04T18:30:05', from: 'Dana Scully', from_id: 'user111', text: 'from an export without date_unixtime' },
      { id: 2, type: 'message', date: '2019-05-04T20:30:05', date_unixtime: '1556994605', text: 'exported at UTC+2: date is local, date_unixtime is the instant' },
    ]));
    expect(rows.every((r) => 'message' in r)).toBe(true);
    expect(messages(rows).map((m) => m.sentAt)).toEqual(['2019-05-04T18:30:05.000Z', '2019-05-04T18:30:05.000Z']);
  });

  it('flattens entity arrays and refuses what is not an export', async () => {
    expect(telegramText(['a ', { type: 'italic', text: 'b' }, { type: 'mention', text: '@c' }, 7])).toBe('a b@c');
    expect(() => read({ hello: 1 })).toThrow(/Not a Telegram export/);
    expect(() => read([1, 2])).toThrow(/must be a JSON object/);
    await expect(readTelegramExport(TELEGRAM_RESULT_JSON, 100)).rejects.toMatchObject({ code: 'INGESTION.IMPORT_JSON_TOO_LARGE', message: expect.stringMatching(/at most 100 bytes \(IMPORT_JSON_MAX_MB\)/) });
  });
});
