import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_IMPORT_LIMITS, humanBytes, ImportLimits } from '@modules/ingestion/application/import-messages/import-limits';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import { QUOTE_EML, slackExportZip, THREAD_MBOX } from '@test/support/fixtures/exports';
import { zip } from '@test/support/zip-writer';
import { checkEmailZipLimits, emailZipRows, mailEntryKind } from './email-zip.reader';
import { formatOfFile } from './import-file-formats';
import { ReadContext, readContext } from './read-context';

type Rejected = { index: number; parseError: { field: string; message: string }[]; externalId?: string | null };

describe('email zip reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'email-zip-reader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const KB = 1024;
  const file = (name: string, data: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  const read = async (path: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS) => {
    const ctx: ReadContext = { ...readContext(), limits };
    const rows: ParsedRow[] = [];
    try {
      for await (const r of emailZipRows(path, ctx)) rows.push(r);
      return { rows, ctx, error: null };
    } catch (err) {
      return { rows, ctx, error: err as Error & { code?: string } };
    }
  };
  const messages = (rows: ParsedRow[]) => rows.filter((r): r is { index: number; message: IncomingMessage } => 'message' in r).map((r) => r.message);
  const rejected = (rows: ParsedRow[]) => rows.filter((r): r is Rejected => 'parseError' in r);
  const eml = (id: string, body = `About ${id}`, minute = 0) =>
    [
      `Message-ID: <${id}>`,
      'From: Dana Kim <dana@example.org>',
      'To: team@example.org',
      `Subject: about ${id}`,
      `Date: Tue, 3 Mar 2026 10:${String(minute).padStart(2, '0')}:00 +0000`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n');
  /** The entry's compressed bytes made undecodable (a deflate block of a reserved type). */
  const damage = (archive: Buffer, name: string) => {
    const at = archive.indexOf(Buffer.from(name, 'utf8')) + Buffer.byteLength(name);
    archive.fill(0xff, at, at + 2);
    return archive;
  };

  it('reads Maildir files and bare message files (with or without an mbox postmark); files that are not mail are left out, counted', async () => {
    const path = file('maildir.zip', zip([
      { name: 'Maildir/cur/1700000000.M1P2.host:2,S', data: eml('md-1') },
      { name: 'Maildir/new/1700000001.M3P4.host', data: eml('md-2') },
      { name: 'corpus/00001.7c53336b37003a9286aba55d2945844c', data: `From someone@example.org  Tue Mar  3 10:00:00 2026\n${eml('sa-1').toString()}` },
      { name: 'corpus/LICENSE', data: 'Permission is hereby granted, free of charge...' },
    ]));
    const { rows, ctx } = await read(path);
    expect(messages(rows).map((m) => m.externalId)).toEqual(['md-1', 'md-2', 'sa-1']);
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(rejected(rows)).toEqual([]);
    expect(ctx.skipped).toEqual({ 'not a mail file': 1 });
  });

  it('reads every .eml (any folder, any case) and mbox entry in code-point order of their names, numbering messages across the archive', async () => {
    const archive = zip([
      { name: 'Takeout/', data: '' },
      { name: 'Takeout/Mail/Work.mbox', data: readFileSync(THREAD_MBOX) },
      { name: 'Inbox/b.eml', data: eml('b@x') },
      { name: '__MACOSX/Inbox/._b.eml', data: 'AppleDouble' },
      { name: 'Inbox/._Z.eml', data: 'AppleDouble' },
      { name: 'Inbox/\u00c4.eml', data: eml('umlaut@x') },
      { name: 'Inbox/Z.eml', data: eml('z@x'), store: true },
      { name: 'Archive/2024/quote.EML', data: readFileSync(QUOTE_EML) },
      { name: 'Sent.mbox/mbox', data: `From dana@example.org Tue Mar  3 10:00:00 2026\n${eml('apple@x')}\n` },
      { name: 'Sent.mbox/Info.plist', data: '<plist/>' },
      { name: 'readme.txt', data: 'not mail' },
    ]);
    const { rows, ctx, error } = await read(file('mail.zip', archive));
    expect(error).toBeNull();
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // 'Z' (U+005A) before 'b' (U+0062) before 'Ä' (U+00C4): code points, not a locale's collation.
    expect(messages(rows).map((m) => m.externalId)).toEqual(['quote-7@vendor.example', 'z@x', 'b@x', 'umlaut@x', 'apple@x', 'thread-1@acme.example', 'thread-2@acme.example', 'thread-3@acme.example']);
    const b = messages(rows)[2];
    expect(b).toEqual(expect.objectContaining({ title: 'about b@x', content: 'About b@x', sentAt: '2026-03-03T10:00:00.000Z', author: expect.objectContaining({ name: 'Dana Kim', email: 'dana@example.org' }) }));
    expect(messages(rows)[6]).toEqual(expect.objectContaining({ threadId: 'thread-1@acme.example', isReply: true }));
    expect(ctx.progress).toEqual({ unit: 'files', done: 6, total: 6 });
  });

  it('rejects an .eml over IMPORT_EMAIL_MAX_MB alone, named by its Message-ID, without reading it whole; the others are stored', async () => {
    const limits = { ...DEFAULT_IMPORT_LIMITS, emailMaxBytes: 4 * KB };
    const big = eml('big@x', 'a long line of a long message\n'.repeat(400));
    const archive = zip([{ name: 'a.eml', data: eml('a@x') }, { name: 'big.eml', data: big }, { name: 'c.eml', data: eml('c@x') }]);
    const { rows, error } = await read(file('big.zip', archive), limits);
    expect(error).toBeNull();
    expect(messages(rows).map((m) => m.externalId)).toEqual(['a@x', 'c@x']);
    expect(rejected(rows)).toEqual([
      { index: 1, externalId: 'big@x', parseError: [{ field: '', message: `big.eml is ${humanBytes(Buffer.byteLength(big))}, more than the 4 KiB an email may have (IMPORT_EMAIL_MAX_MB)` }] },
    ]);
  });

  it('streams an mbox entry: not held to IMPORT_ZIP_MAX_ENTRY_MB, its oversized message rejected by position and Message-ID under the entry name', async () => {
    const limits = { ...DEFAULT_IMPORT_LIMITS, emailMaxBytes: 8 * KB, zipMaxEntryBytes: 16 * KB, jsonMaxBytes: 16 * KB };
    const from = (n: number) => `From dana@example.org Tue Mar  3 10:0${n}:00 2026\n`;
    const mbox = [from(1), eml('m1@x'), '\n', from(2), eml('m2@x', 'x'.repeat(40 * KB)), '\n', from(3), eml('m3@x'), '\n'].join('');
    expect(Buffer.byteLength(mbox)).toBeGreaterThan(limits.zipMaxEntryBytes);
    const { rows, error } = await read(file('takeout.zip', zip([{ name: 'Takeout/Mail/All mail Including Spam and Trash.mbox', data: mbox }])), limits);
    expect(error).toBeNull();
    expect(messages(rows).map((m) => m.externalId)).toEqual(['m1@x', 'm3@x']);
    expect(rejected(rows)).toEqual([
      { index: 1, externalId: 'm2@x', parseError: [{ field: '', message: expect.stringMatching(/^message 2 of Takeout\/Mail\/All mail Including Spam and Trash\.mbox is 40\.\d KiB, more than the 8 KiB an email may have/) }] },
    ]);
  });

  it('rejects a damaged entry alone (undecodable, or shorter than its header says) and reads the entries after it', async () => {
    const mbox = [1, 2].map((n) => `From dana@example.org Tue Mar  3 10:0${n}:00 2026\n${eml(`m${n}@x`)}\n`).join('');
    const archive = damage(
      zip([
        { name: 'a/broken.eml', data: eml('broken@x') },
        { name: 'b/short.mbox', data: mbox, declaredSize: Buffer.byteLength(mbox) + 100 },
        { name: 'c/fine.eml', data: eml('fine@x') },
      ]),
      'a/broken.eml',
    );
    const { rows, ctx, error } = await read(file('damaged.zip', archive));
    expect(error).toBeNull();
    // The last message of a truncated mbox is the one being read when the damage shows: it is the rejected row.
    expect(messages(rows).map((m) => m.externalId)).toEqual(['m1@x', 'fine@x']);
    expect(rejected(rows).map((r) => [r.index, r.parseError[0].message])).toEqual([
      [0, expect.stringMatching(/^a\/broken\.eml could not be read: .*invalid/i)],
      [2, expect.stringMatching(/^b\/short\.mbox could not be read to the end \(after 1 rows\): b\/short\.mbox is shorter than its header declares/)],
    ]);
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(ctx.progress).toEqual({ unit: 'files', done: 3, total: 3 });
  });

  it('skips empty mbox files, fails a zip without mail or that is no zip with a readable reason', async () => {
    const { rows, ctx } = await read(file('empty-label.zip', zip([{ name: 'Mail/Empty.mbox', data: '' }, { name: 'Mail/one.eml', data: eml('one@x') }])));
    expect(messages(rows).map((m) => m.externalId)).toEqual(['one@x']);
    expect(ctx.skipped).toEqual({ 'empty mbox file': 1 });
    expect((await read(file('none.zip', zip([{ name: 'notes/readme.txt', data: 'hi' }, { name: '__MACOSX/._a.eml', data: 'x' }])))).error?.message).toMatch(/no \.eml or \.mbox files in the zip/);
    expect((await read(file('nozip.zip', Buffer.from('not a zip at all')))).error?.message).toMatch(/^Not a readable zip/);
  });

  it('stops between entries when the import is interrupted', async () => {
    const ctx: ReadContext = { ...readContext(), signal: AbortSignal.abort() };
    const it = emailZipRows(file('abort.zip', zip([{ name: 'a.eml', data: eml('a@x') }])), ctx)[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(/interrupted/);
  });

  describe('zip limits (as for a Slack export)', () => {
    const small: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, zipMaxEntries: 5, zipMaxTotalBytes: 64 * KB, emailMaxBytes: 32 * KB };
    const mails = (n: number, size: number) => Array.from({ length: n }, (_, i) => ({ name: `m${i}.eml`, data: eml(`m${i}@x`, 'y'.repeat(size)) }));

    it('refuses what the central directory tells before anything is read: entries over IMPORT_ZIP_MAX_ENTRIES, declared sizes over IMPORT_ZIP_MAX_TOTAL_MB', async () => {
      await expect(checkEmailZipLimits(file('many.zip', zip(mails(6, 10))), small)).rejects.toMatchObject({ code: 'INGESTION.IMPORT_ZIP_TOO_MANY_ENTRIES', details: { limit: 'IMPORT_ZIP_MAX_ENTRIES', max: 5 } });
      expect((await read(file('many.zip', zip(mails(6, 10))), small)).error).toMatchObject({ code: 'INGESTION.IMPORT_ZIP_TOO_MANY_ENTRIES' });
      await expect(checkEmailZipLimits(file('total.zip', zip(mails(3, 30 * KB))), small)).rejects.toMatchObject({ code: 'INGESTION.IMPORT_ZIP_TOO_LARGE', details: { entry: 'm2.eml' } });
      // An .eml over IMPORT_EMAIL_MAX_MB is not inflated (a rejected row): it does not count.
      await expect(checkEmailZipLimits(file('one-big.zip', zip([...mails(2, 20 * KB), { name: 'big.eml', data: eml('big@x', 'z'.repeat(40 * KB)) }])), small)).resolves.toBeUndefined();
      await expect(checkEmailZipLimits(file('nozip.zip', Buffer.from('not a zip')), small)).resolves.toBeUndefined();
    });

    it('fails the import on an entry inflating past its header (zip bomb) or past IMPORT_ZIP_MAX_TOTAL_MB, keeping the messages before', async () => {
      const bomb = await read(file('bomb.zip', zip([...mails(1, 10), { name: 'n.eml', data: Buffer.alloc(8 * 1024 * KB, 0x20), declaredSize: 100 }])), small);
      expect(messages(bomb.rows).map((m) => m.externalId)).toEqual(['m0@x']);
      expect(bomb.error).toMatchObject({ code: 'INGESTION.IMPORT_ZIP_ENTRY_TOO_LARGE', details: { entry: 'n.eml', declared: 100 } });
      expect(bomb.error!.message).toMatch(/after 1 of 2 mail files/);
      const total = await read(file('total-read.zip', zip(mails(3, 30 * KB))), small);
      expect(total.error).toMatchObject({ code: 'INGESTION.IMPORT_ZIP_TOO_LARGE', details: { limit: 'IMPORT_ZIP_MAX_TOTAL_MB', entry: 'm2.eml' } });
      expect(total.error!.message).toMatch(/reached at m2\.eml, after 2 of 3 mail files/);
      expect(messages(total.rows).map((m) => m.externalId)).toEqual(['m0@x', 'm1@x']);
    });
  });
});

describe('mail entries and the format of a .zip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'email-zip-format-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, data: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };

  it('knows mail entries by name', () => {
    expect(['a.eml', 'A/B.EML', 'Takeout/Mail/Inbox.mbox', 'x.MBX', 'Inbox.mbox/mbox', 'Inbox.mbox/', '__MACOSX/a.eml', 'dir/._a.eml', 'a.emlx', 'notes.txt'].map(mailEntryKind)).toEqual([
      'eml', 'eml', 'mbox', 'mbox', 'mbox', null, null, null, null, null,
    ]);
    // Files that may be one message each: looked at before they are read as mail.
    expect(['Maildir/cur/1700000000.M1P2.host:2,S', 'Maildir/new/1700000001.M3P4.host', 'spool/00001.7c53336b37003a9286aba55d2945844c', 'archive/12345'].map(mailEntryKind)).toEqual(['message', 'message', 'message', 'message']);
  });


  it('tells a Slack export from a zip of mail files by their entries; other names keep their format', async () => {
    const mail = file('Mail export.zip', zip([{ name: 'Mail export/Inbox/1.eml', data: 'Subject: x\r\n\r\nx' }]));
    expect(await formatOfFile(mail, 'Mail export.zip')).toBe('email-zip');
    expect(await formatOfFile(file('takeout.zip', zip([{ name: 'Takeout/Mail/Inbox.mbox', data: 'From a' }])), 'takeout-20260301.zip')).toBe('email-zip');
    expect(await formatOfFile(file('slack.zip', slackExportZip({ topFolder: 'Acme/' })), 'Acme.zip')).toBe('slack-export');
    // Slack's markers win: an export may carry an .eml among its files.
    expect(await formatOfFile(file('slack-eml.zip', zip([{ name: 'a.eml', data: 'x' }, { name: 'users.json', data: '[]' }])), 'x.zip')).toBe('slack-export');
    expect(await formatOfFile(file('other.zip', zip([{ name: 'readme.txt', data: 'hi' }])), 'other.zip')).toBe('slack-export');
    expect(await formatOfFile(file('not-zip.zip', Buffer.from('{"not":"a zip"}')), 'x.zip')).toBe('slack-export');
    expect(await formatOfFile(mail, 'mail.mbox')).toBe('mbox');
    expect(await formatOfFile(mail, 'notes.txt')).toBeNull();
  });
});
