import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { humanBytes } from '@modules/ingestion/application/import-messages/import-limits';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import { QUOTE_EML, THREAD_MBOX } from '@test/support/fixtures/exports';
import { expectLinear } from '@test/support/linearity';
import { emailItem, emlRows, htmlToPlainText, mboxMessages, mboxRows, sniffMessageId } from './email.reader';

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
    expect(last).toEqual(expect.objectContaining({ externalId: 'thread-3@acme.example', threadId: 'thread-1@acme.example', isReply: true, content: "Agreed: SSO as an add-on at $4 per seat.\nI'll update the pricing page." }));
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

  it('rejects (by index) a message over the size limit and text before the first separator; keeps the rest, a message without any date at the import time', async () => {
    const msg = (id: string, body: string, date = 'Date: Mon, 2 Mar 2026 10:00:00 +0000') => `From a@b.example Mon Mar  2 10:00:00 2026\nMessage-ID: <${id}>\nFrom: a@b.example\n${date}\nSubject: s\n\n${body}\n\n`;
    const mbox = 'stray text\n' + msg('m1', 'x'.repeat(5000)) + msg('m2', 'small') + msg('m3', 'no date', 'X-Nothing: 1').replace(/From a@b.example Mon Mar {2}2 10:00:00 2026/, 'From a@b.example');
    const rows = await collect(mboxRows(Readable.from([Buffer.from(mbox)]), undefined, 2000));
    expect(rows.map((r) => [r.index, 'message' in r ? r.message.externalId : (r as { parseError: { message: string }[] }).parseError[0].message.slice(0, 40)])).toEqual([
      [0, 'the file does not start with an mbox "Fr'],
      [1, expect.stringMatching(/^message 1 of the mbox is [\d.]+ KiB, more/)],
      [2, 'm2'],
      [3, 'm3'],
    ]);
    expect((rows[3] as { message: IncomingMessage }).message.metadata.sentAtSource).toBe('import-time');
    // The oversized message is named by its Message-ID, read from its first bytes.
    expect(rows[1]).toMatchObject({ externalId: 'm1' });
  });

  it('reads the Message-ID of raw bytes from the header block only (folded, without brackets, or absent)', () => {
    expect(sniffMessageId(Buffer.from('From: a@b.example\r\nMessage-Id:\r\n <x.1@host>\r\n\r\nbody'))).toBe('x.1@host');
    expect(sniffMessageId(Buffer.from('message-id: bare@host\n\n'))).toBe('bare@host');
    expect(sniffMessageId(Buffer.from('Subject: s\n\nMessage-ID: <in-body@host>\n'))).toBeNull();
    expect(sniffMessageId(Buffer.from(`X: ${'y'.repeat(100_000)}`))).toBeNull();
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

  it('keeps what the mail system said: list id, precedence, Auto-Submitted, its spam verdict (X-Spam-Flag, X-Spam-Status, Gmail\'s Spam label)', async () => {
    const head = 'From: news@lists.example\nDate: Mon, 2 Mar 2026 10:00:00 +0000\nMessage-ID: <n1@lists.example>\n';
    const metadataOf = async (src: string) => (await emailItem(Buffer.from(src))).metadata as Record<string, unknown>;
    const listed = await emailItem(Buffer.from(`${head}List-Id: Product news <news.lists.example>\nPrecedence: Bulk\nAuto-Submitted: auto-generated\n\nWeekly news.`));
    expect(listed.metadata).toEqual(expect.objectContaining({ listId: 'Product news <news.lists.example>', precedence: 'bulk', autoSubmitted: 'auto-generated' }));
    expect(listed.metadata).not.toHaveProperty('spamVerdict');
    for (const h of ['X-Spam-Flag: YES', 'X-Spam-Status: Yes, score=12.3 required=5.0', 'X-Gmail-Labels: Spam,Unread']) {
      expect([h, (await metadataOf(`${head}${h}\n\nBuy now.`)).spamVerdict]).toEqual([h, 'spam']);
    }
    expect(await metadataOf(`${head}X-Spam-Status: No, score=-2.6 required=5.0 tests=BAYES_00,YES_MAYBE\n\nHi.`)).not.toHaveProperty('spamVerdict');
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

  describe('no input stalls it (issue 11)', () => {
    const MB = 1024 * 1024;
    /** Pathological HTML: unclosed tags, comments and attributes, deep and mismatched nesting, runs of spaces. */
    const pathological: Record<string, (n: number) => string> = {
      'unclosed <a': (n) => '<a'.repeat(n / 2),
      'unclosed comments': (n) => '<!--'.repeat(n / 4),
      'unclosed <script>': (n) => '<script>'.repeat(n / 8),
      'unclosed attribute': (n) => '<a x="'.repeat(n / 6),
      'deep nesting': (n) => '<div>'.repeat(n / 5),
      'mismatched end tags': (n) => '<div>'.repeat(n / 12) + '</span>'.repeat(n / 12),
      'runs of spaces and newlines': (n) => `<p>a${' '.repeat(n / 2)}\n${' \n'.repeat(n / 4)}b</p>`,
      'entities without ;': (n) => '&amp'.repeat(n / 4),
    };
    it.each(Object.keys(pathological))('HTML made plain in linear time: %s (256 KiB -> 1 MiB)', async (name) => {
      await expectLinear(htmlToPlainText, pathological[name], { n: MB / 4 });
    });

    const eml = (body: string, type = 'text/html') => Buffer.from(`From: a@b.example\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <p@b.example>\r\nSubject: s\r\nContent-Type: ${type}\r\n\r\n${body}\r\n`);
    const mixed = (html: string) => eml(`--b\r\nContent-Type: text/html\r\n\r\n${html}\r\n--b--`, 'multipart/mixed; boundary="b"');
    it('reads the 320 KB .eml that froze the server (unclosed tags in an HTML-only part) at once, and a 4x bigger one in proportion', async () => {
      await expectLinear((src: Buffer) => emailItem(src), (n) => eml('<a'.repeat(n / 2)), { n: 320 * 1024 });
      await expectLinear((src: Buffer) => emailItem(src), (n) => mixed(`<div>${'<!--'.repeat(n / 8)}</div>`), { n: 320 * 1024 });
      expect((await emailItem(mixed('<p>Hello <b>there</b></p>'))).content).toBe('Hello there');
    });

    it('a text part with a long run of white space inside (a /\\s+$/ trim was quadratic on it)', async () => {
      await expectLinear((src: Buffer) => emailItem(src), (n) => eml(`start${' '.repeat(n)}end   `, 'text/plain'), { n: MB / 4 });
      expect((await emailItem(eml(`start${' '.repeat(1000)}end \u00a0\r\n `, 'text/plain'))).content).toBe(`start${' '.repeat(1000)}end`);
    });

    it('rejects an .eml over the size an email may have (as a message of an mbox) without parsing it', async () => {
      const src = eml(`<p>${'x'.repeat(5000)}</p>`);
      const [row] = await collect(emlRows(Readable.from([src]), undefined, src.length, 2000));
      expect(row).toEqual({ index: 0, parseError: [{ field: '', message: `the .eml file is ${humanBytes(src.length)}, more than the ${humanBytes(2000)} an email may have (IMPORT_EMAIL_MAX_MB)` }] });
      expect(messages(await collect(emlRows(Readable.from([src]), undefined, src.length)))).toHaveLength(1);
    });

    it('cuts HTML past IMPORT_HTML_MAX_CHARS before reading it: the rest is dropped and the message flagged', async () => {
      const html = `<p>${'word '.repeat(3000)}</p><p>TAIL</p>`;
      const item = await emailItem(eml(html), { htmlMaxChars: 5000 });
      expect((item.email as { bodyHtml: string }).bodyHtml).toHaveLength(5000);
      expect(item.content).toMatch(/^word word/);
      expect(item.content).not.toContain('TAIL');
      expect(item.metadata).toEqual(expect.objectContaining({ bodyHtmlTruncated: true, truncated: true }));
      const whole = await emailItem(eml(html));
      expect(whole.content).toContain('TAIL');
      expect(whole.metadata).not.toHaveProperty('bodyHtmlTruncated');
    });

    /** The regular expressions htmlToPlainText used before (quadratic on unclosed tags): the oracle for normal HTML. */
    const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', hellip: '…', mdash: '—', ndash: '–', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“' };
    const before = (html: string) =>
      html
        .replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
        .replace(/<!--[\s\S]*?-->/g, ' ')
        .replace(/<br\s*\/?>/gi, '\n')
        .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|table|ul|ol|section|article)\s*>/gi, '\n')
        .replace(/<li\b[^>]*>/gi, '- ')
        .replace(/<[^>]+>/g, '')
        .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
          if (e[0] === '#') {
            const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
            return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
          }
          return NAMED[e.toLowerCase()] ?? m;
        })
        .replace(/[ \t\u00a0]+/g, ' ')
        .replace(/ *\n */g, '\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
    it.each([
      ['a newsletter', '<!DOCTYPE html><html><head><title>News</title><style>p{color:red}</style></head><body><h1>March &amp; April</h1><p>Hello&nbsp;Dana,</p><p>Our <b>new</b> <a href="https://x.example/?a=1&amp;b=2">pricing</a> is live&hellip;</p><!-- tracking --><img src="x.png" alt="logo"><br/>Thanks,<br>Walter</body></html>'],
      ['lists and tables', '<ul><li>one</li><li class="x">two &lt;three&gt;</li></ul><ol><li>first</li></ol><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>'],
      ['Outlook markup', '<div class=WordSection1><p class=MsoNormal><span style=\'font-size:11.0pt\'>Hi Fox,<o:p></o:p></span></p><p class=MsoNormal>See below.<o:p>&nbsp;</o:p></p></div><blockquote style="margin:0">&gt; quoted<br>&#8212; Dana &#x1F600;</blockquote>'],
      ['scripts, sections and headings', '<section><h2>Title</h2><article>Body text\nwith a line break</article></section><script type="text/javascript">var a = "<p>";</script><STYLE>b{}</STYLE><P>Upper</P>'],
      ['quotes in text', '<p>He said &quot;ship it&quot; &rsquo;n&lsquo; &ldquo;now&rdquo; &copy; &reg; &mdash; &ndash;</p>'],
    ])('gives the same text as before for normal HTML: %s', (_name, html) => {
      expect(htmlToPlainText(html)).toBe(before(html));
    });
  });
});

