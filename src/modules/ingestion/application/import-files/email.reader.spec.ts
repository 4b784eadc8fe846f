import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import { QUOTE_EML, THREAD_MBOX } from '@test/support/fixtures/exports';
import { emailItem, emlRows, htmlToPlainText, mboxMessages, mboxRows } from './email.reader';

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const messages = (rows: ParsedRow[]) => rows.filter((r): r is { index: number; message: IncomingMessage } => 'message' in r).map((r) => r.message);
/** The same bytes in chunks of `size`, so separators and quoted lines fall across chunk boundaries. */
const chunked = (buf: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size)));

describe('email reader (mailparser)', () => {
  it('reads an mbox thread: ids, the thread root from References, to/cc, labels and flags, HTML made plain, mboxrd quoting undone', async () => {
    const rows = await collect(mboxRows(createReadStream(THREAD_MBOX)));
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2]);
    const [first, reply, last] = messages(rows);
    expect(first).toEqual(expect.objectContaining({
      externalId: 'thread-1@acme.example',
      threadId: 'thread-1@acme.example',
      isReply: false,
      title: 'SSO pricing',
      sentAt: '2026-03-02T10:00:00.000Z',
      author: { name: 'Dana Scully', email: 'dana@acme.example', externalId: null },
      to: ['fox@acme.example'],
      cc: ['walter@acme.example'],
      content: 'Hi Fox,\n\nEnterprise customers keep asking for SSO. Should it be in the Business plan or an add-on?\n\nDana',
    }));
    expect(first.email).toEqual(expect.objectContaining({ labels: ['Inbox', 'Important', 'Opened'], isImportant: true, isUnread: false, isSent: false, internalDate: '2026-03-02T10:00:00.000Z', bcc: [] }));
    expect(first.email!.bodyHtml).toContain('<b>SSO</b>');
    expect(first.metadata).toEqual(expect.objectContaining({ messageId: 'thread-1@acme.example', gmailThreadId: '1790311441243049826' }));
    expect(reply).toEqual(expect.objectContaining({ externalId: 'thread-2@acme.example', threadId: 'thread-1@acme.example', isReply: true, cc: ['walter@acme.example'] }));
    expect(reply.content).toContain('\nFrom the contract we signed with Initech');
    expect(reply.email).toEqual(expect.objectContaining({ isUnread: true, bodyHtml: null }));
    expect(last).toEqual(expect.objectContaining({ externalId: 'thread-3@acme.example', threadId: 'thread-1@acme.example', isReply: true, content: "Agreed: SSO as an add-on at $4 per seat.\n\nI'll update the pricing page." }));
    expect(last.email).toEqual(expect.objectContaining({ isSent: true, isStarred: true, isUnread: false, snippet: "Agreed: SSO as an add-on at $4 per seat. I'll update the pricing page." }));
    expect(last.metadata.references).toEqual(['thread-1@acme.example', 'thread-2@acme.example']);
    expect(last.raw).toEqual({ headers: expect.arrayContaining(['Subject: Re: SSO pricing']) });
  });

  it('splits the same mbox identically whatever the chunking (separators and ">From" lines across chunk boundaries, CRLF too)', async () => {
    const bytes = readFileSync(THREAD_MBOX);
    const whole = (await collect(mboxMessages(Readable.from([bytes])))).map((m) => m.source!.toString());
    for (const size of [1, 7, 64, 4096]) expect((await collect(mboxMessages(chunked(bytes, size)))).map((m) => m.source!.toString())).toEqual(whole);
    expect(whole).toHaveLength(3);
    expect(whole[1]).toContain('\nFrom the contract');
    expect(whole[0].endsWith('--alt-1--\n')).toBe(true); // the blank line before the next separator is the mbox's
    const crlf = Buffer.from(bytes.toString().replace(/\n/g, '\r\n'));
    const rows = await collect(mboxRows(chunked(crlf, 5)));
    expect(messages(rows).map((m) => [m.externalId, m.threadId])).toEqual(messages(await collect(mboxRows(Readable.from([bytes])))).map((m) => [m.externalId, m.threadId]));
  });

  it('rejects (by index) a message over the size limit, text before the first separator, and a message without a date; keeps the rest', async () => {
    const msg = (id: string, body: string, date = 'Date: Mon, 2 Mar 2026 10:00:00 +0000') => `From a@b.example Mon Mar  2 10:00:00 2026\nMessage-ID: <${id}>\nFrom: a@b.example\n${date}\nSubject: s\n\n${body}\n\n`;
    const mbox = 'stray text\n' + msg('m1', 'x'.repeat(5000)) + msg('m2', 'small') + msg('m3', 'no date', 'X-Nothing: 1').replace(/From a@b.example Mon Mar {2}2 10:00:00 2026/, 'From a@b.example');
    const rows = await collect(mboxRows(Readable.from([Buffer.from(mbox)]), undefined, 2000));
    expect(rows.map((r) => [r.index, 'message' in r ? r.message.externalId : (r as { parseError: { message: string }[] }).parseError[0].message.slice(0, 40)])).toEqual([
      [0, 'the file does not start with an mbox "Fr'],
      [1, expect.stringMatching(/^message 1 of the mbox is \d+ bytes/)],
      [2, 'm2'],
      [3, expect.stringMatching(/^sentAt is required/)],
    ]);
  });

  it('a postmark line without a blank line before it still starts a message; "From " in a body after a blank line without a time does too only when quoted correctly', async () => {
    const mbox = 'From a@b Mon Mar  2 10:00:00 2026\nMessage-ID: <p1>\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n\nbody\nFrom a@b Mon Mar  2 11:00:00 2026\nMessage-ID: <p2>\nDate: Mon, 2 Mar 2026 11:00:00 +0000\n\nsecond\n';
    expect((await collect(mboxMessages(Readable.from([Buffer.from(mbox)])))).map((m) => m.postmark)).toEqual(['From a@b Mon Mar  2 10:00:00 2026', 'From a@b Mon Mar  2 11:00:00 2026']);
    const longLine = `From a@b Mon Mar  2 10:00:00 2026\nMessage-ID: <l1>\n\n${'y'.repeat(300_000)}\n`;
    const [m] = await collect(mboxMessages(chunked(Buffer.from(longLine), 16 * 1024)));
    expect(m.source!.length).toBe(longLine.length - 'From a@b Mon Mar  2 10:00:00 2026\n'.length - 1);
  });

  it('reads an .eml: attachments listed (name, type, size; inline too) but not kept, HTML-only body made plain, bcc in the email fields', async () => {
    const [row] = await collect(emlRows(createReadStream(QUOTE_EML)));
    expect(row.index).toBe(0);
    const m = (row as { message: IncomingMessage }).message;
    expect(m).toEqual(expect.objectContaining({
      externalId: 'quote-7@vendor.example',
      threadId: 'quote-7@vendor.example',
      isReply: false,
      title: 'Quote for the SSO add-on',
      sentAt: '2026-03-03T13:30:00.000Z',
      author: { name: 'Walter Skinner', email: 'walter@vendor.example', externalId: null },
      to: ['dana@acme.example'],
      cc: ['fox@acme.example', 'procurement@acme.example'],
      content: 'Hello Dana,\nPlease find the quote attached.',
    }));
    expect(m.email).toEqual(expect.objectContaining({ bcc: ['archive@vendor.example'], snippet: 'Hello Dana, Please find the quote attached.' }));
    expect(m.metadata.attachments).toEqual([
      { name: 'logo.png', type: 'image/png', size: 66, inline: true },
      { name: 'quote.pdf', type: 'application/pdf', size: 77 },
      { name: 'prices.csv', type: 'text/csv', size: 41 },
    ]);
    expect(JSON.stringify(m)).not.toContain('JVBERi0'); // no attachment bytes anywhere (base64 of "%PDF-")
  });

  it('without a Message-ID the id is a hash of the headers (stable across reads); a subject-only mail keeps its subject as content', async () => {
    const src = Buffer.from('From: x@y.example\nDate: Mon, 2 Mar 2026 10:00:00 +0000\nSubject: Call me\n\n');
    const a = await emailItem(src);
    const b = await emailItem(Buffer.from(src));
    expect(a.externalId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.externalId).toBe(b.externalId);
    expect(a).toEqual(expect.objectContaining({ content: 'Call me', metadata: expect.objectContaining({ contentFromSubject: true }) }));
    expect(htmlToPlainText('<ul><li>one</li><li>two &amp; three</li></ul><script>alert(1)</script>&#x1F600;')).toBe('- one\n- two & three\n\n😀');
  });
});
