import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import { DEFAULT_IMPORT_LIMITS, ImportLimits } from '@modules/ingestion/application/import-messages/import-limits';
import { slackExportZip } from '@test/support/fixtures/exports';
import { expectLinear } from '@test/support/linearity';
import { zip } from '@test/support/zip-writer';
import { readContext } from './read-context';
import { checkSlackExportLimits, slackExportRows, slackText, slackUsers } from './slack-export.reader';

describe('Slack export reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slack-reader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, data: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  const read = async (path: string) => {
    const ctx = readContext();
    const rows: ParsedRow[] = [];
    for await (const r of slackExportRows(path, ctx)) rows.push(r);
    return { rows, ctx };
  };
  const messages = (rows: ParsedRow[]) => rows.filter((r): r is { index: number; message: IncomingMessage } => 'message' in r).map((r) => r.message);

  it('reads channels day by day whatever the order of the zip, with ids, threads, names and metadata', async () => {
    const { rows, ctx } = await read(file('export.zip', slackExportZip()));
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const byId = new Map(messages(rows).map((m) => [m.externalId, m]));
    expect([...byId.keys()]).toEqual([
      'D0DM1:1772445960.000100',
      'C01GENERAL:1772445600.000100',
      'C01GENERAL:1772445630.000200',
      'C01GENERAL:1772445660.000300',
      'C01GENERAL:1772445720.000500',
      'C01GENERAL:1772445780.000600',
      'C01GENERAL:1772528400.000100',
      'C02PRODUCT:1772445900.000100',
    ]);
    const parent = byId.get('C01GENERAL:1772445600.000100')!;
    expect(parent).toEqual(expect.objectContaining({
      content: "We need SSO before @Fox Mulder's enterprise customers sign & renew",
      sentAt: '2026-03-02T10:00:00.000Z',
      channelId: 'C01GENERAL',
      channelName: 'general',
      threadId: 'C01GENERAL:1772445600.000100',
      isReply: false,
      author: { name: 'Dana Scully', email: 'dana@acme.example', externalId: 'U01DANA' },
    }));
    expect(parent.metadata).toEqual(expect.objectContaining({
      channelType: 'public',
      replyCount: 2,
      replyUsers: ['Fox Mulder', 'Dana Scully'],
      replies: ['C01GENERAL:1772445630.000200', 'C01GENERAL:1772445660.000300'],
      reactions: [{ name: '+1', count: 1, users: ['Fox Mulder'] }],
    }));
    // display_name when real_name is empty; a reply points at its parent's external id.
    expect(byId.get('C01GENERAL:1772445630.000200')).toEqual(expect.objectContaining({
      author: { name: 'Fox Mulder', email: 'fox@acme.example', externalId: 'U02FOX' },
      threadId: 'C01GENERAL:1772445600.000100',
      isReply: true,
      metadata: expect.objectContaining({ parentUser: 'Dana Scully' }),
    }));
    // message_changed: the edited text under the original's id, folded in place.
    const edited = byId.get('C01GENERAL:1772445660.000300')!;
    expect(edited.content).toBe('Okta and Azure AD');
    expect(edited.metadata.edited).toEqual({ by: 'Dana Scully', at: '2026-03-02T10:01:30.000Z' });
    // A bot message is kept, its text from the attachment, with the bot in metadata.
    expect(byId.get('C01GENERAL:1772445720.000500')).toEqual(expect.objectContaining({
      content: 'Deploy v1.2\nDeployed v1.2 to production',
      author: { name: 'Deploy Bot', email: null, externalId: 'B0DEPLOY' },
      metadata: expect.objectContaining({ subtype: 'bot_message', bot: { id: 'B0DEPLOY', name: 'Deploy Bot' }, links: [{ title: 'Deploy v1.2', url: 'https://ci.acme.example/deploys/12' }] }),
    }));
    // A file share without text is a message with its attachment listed.
    expect(byId.get('C01GENERAL:1772445780.000600')).toEqual(expect.objectContaining({ content: '', metadata: expect.objectContaining({ attachments: [{ name: 'roadmap.pdf', type: 'application/pdf', size: 12345 }] }) }));
    expect(byId.get('C01GENERAL:1772528400.000100')!.content).toBe('Following up in #product, see the SSO doc (https://docs.acme.example/sso)');
    expect(byId.get('C02PRODUCT:1772445900.000100')!.content).toBe('Pricing page draft is here (https://docs.acme.example/pricing), @here please review');
    expect(byId.get('D0DM1:1772445960.000100')).toEqual(expect.objectContaining({ channelId: 'D0DM1', channelName: 'DM Dana Scully, Fox Mulder', metadata: expect.objectContaining({ channelType: 'dm' }) }));

    const rejected = rows.filter((r) => 'parseError' in r) as { index: number; parseError: { field: string; message: string }[] }[];
    expect(rejected.map((r) => r.index)).toEqual([6, 9]);
    expect(rejected[0].parseError.map((e) => e.field).sort()).toEqual(['externalId', 'sentAt']);
    expect(rejected[0].parseError[0].message).toContain('general/2026-03-02.json[7]');
    expect(rejected[1].parseError[0].message).toMatch(/product\/2026-03-04\.json could not be read/);
    expect(ctx.skipped).toEqual({ channel_join: 1, message_deleted: 1, 'message_changed (folded into the original)': 1 });
    expect(ctx.progress).toEqual({ unit: 'files', done: 5, total: 5 });
  });

  it('reads stored (uncompressed) zips and exports wrapped in a top folder the same way', async () => {
    const a = await read(file('stored.zip', slackExportZip({ store: true })));
    const b = await read(file('wrapped.zip', slackExportZip({ topFolder: 'Acme Slack export Mar 2026/' })));
    expect(messages(b.rows)).toEqual(messages(a.rows));
    expect(messages(a.rows)).toHaveLength(8);
  });

  it('refuses what is not a Slack export', async () => {
    await expect(read(file('notzip.zip', Buffer.from('hello, not a zip')))).rejects.toThrow(/Not a readable Slack export zip/);
    await expect(read(file('other.zip', zip([{ name: 'readme.txt', data: 'hi' }])))).rejects.toThrow(/no channels\.json or users\.json/);
  });

  it('turns mrkdwn references into text and resolves users without users.json entries to their id', () => {
    const users = slackUsers([{ id: 'U1', real_name: 'Ada', profile: { display_name: 'ada' } }]);
    expect(slackText('hi <@U1> and <@U9>, see <#C1|eng> &lt;b&gt; <mailto:a@b.c|a@b.c> <https://x.y>', users, new Map())).toBe('hi @Ada and @U9, see #eng <b> a@b.c (mailto:a@b.c) https://x.y');
  });

  describe('zip bombs and oversized entries (issue 11)', () => {
    const KB = 1024;
    const small: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, zipMaxEntries: 10, zipMaxEntryBytes: 64 * KB, zipMaxTotalBytes: 100 * KB, jsonMaxBytes: 48 * KB };
    const day = (ts: number, text = 'hello') => JSON.stringify([{ type: 'message', user: 'U1', text, ts: `${ts}.000100` }]);
    const base = [
      { name: 'users.json', data: JSON.stringify([{ id: 'U1', name: 'dana' }]) },
      { name: 'channels.json', data: JSON.stringify([{ id: 'C1', name: 'general' }]) },
      { name: 'general/2026-03-01.json', data: day(1772352000) },
    ];
    const readWith = async (path: string, limits: ImportLimits) => {
      const ctx = { ...readContext(), limits };
      const rows: ParsedRow[] = [];
      try {
        for await (const r of slackExportRows(path, ctx)) rows.push(r);
        return { rows, error: null };
      } catch (err) {
        return { rows, error: err as { code: string; message: string; details: Record<string, unknown> } };
      }
    };

    it('refuses more entries than IMPORT_ZIP_MAX_ENTRIES, before and while reading', async () => {
      const many = file('many.zip', zip([...base, ...Array.from({ length: 20 }, (_, i) => ({ name: `general/x${i}.txt`, data: 'x' }))]));
      await expect(checkSlackExportLimits(many, small)).rejects.toMatchObject({ code: 'INGESTION.IMPORT_ZIP_TOO_MANY_ENTRIES', details: { limit: 'IMPORT_ZIP_MAX_ENTRIES', max: 10 } });
      const { rows, error } = await readWith(many, small);
      expect(rows).toEqual([]);
      expect(error).toMatchObject({ code: 'INGESTION.IMPORT_ZIP_TOO_MANY_ENTRIES' });
    });

    it('refuses an entry whose declared size is over IMPORT_ZIP_MAX_ENTRY_MB or IMPORT_JSON_MAX_MB, and declared sizes over IMPORT_ZIP_MAX_TOTAL_MB', async () => {
      const big = file('big.zip', zip([...base, { name: 'general/2026-03-02.json', data: day(1772438400, 'x'.repeat(70 * KB)) }]));
      await expect(checkSlackExportLimits(big, small)).rejects.toMatchObject({ code: 'INGESTION.IMPORT_ZIP_ENTRY_TOO_LARGE', details: { entry: 'general/2026-03-02.json' } });
      const json = file('json.zip', zip([...base, { name: 'general/2026-03-02.json', data: day(1772438400, 'x'.repeat(50 * KB)) }]));
      await expect(checkSlackExportLimits(json, small)).rejects.toMatchObject({ code: 'INGESTION.IMPORT_JSON_TOO_LARGE' });
      const total = file('total.zip', zip([...base, ...[2, 3, 4].map((d) => ({ name: `general/2026-03-0${d}.json`, data: day(1772352000 + d * 86400, 'x'.repeat(40 * KB)) }))]));
      await expect(checkSlackExportLimits(total, small)).rejects.toMatchObject({ code: 'INGESTION.IMPORT_ZIP_TOO_LARGE' });
      await expect(checkSlackExportLimits(file('ok.zip', zip(base)), small)).resolves.toBeUndefined();
      await expect(checkSlackExportLimits(file('fixture.zip', slackExportZip()))).resolves.toBeUndefined();
    });

    it('stops an entry that inflates past the size its header declares (a crafted zip bomb): the days before it were read', async () => {
      // 8 MiB of one byte deflates to a few KiB and declares 100 bytes.
      const bomb = file('bomb.zip', zip([...base, { name: 'general/2026-03-02.json', data: Buffer.alloc(8 * 1024 * KB, 0x20), declaredSize: 100 }]));
      await expect(checkSlackExportLimits(bomb, small)).resolves.toBeUndefined(); // the central directory looks harmless
      const before = process.memoryUsage().arrayBuffers;
      const { rows, error } = await readWith(bomb, small);
      expect(messages(rows).map((m) => m.externalId)).toEqual(['C1:1772352000.000100']);
      expect(error).toMatchObject({ code: 'INGESTION.IMPORT_ZIP_ENTRY_TOO_LARGE', details: { entry: 'general/2026-03-02.json', declared: 100 } });
      expect(error!.message).toMatch(/unpacks to more than the 100 bytes its header declares.*after 1 of 2 day files/);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * KB);
    });

    it('counts inflated bytes against IMPORT_ZIP_MAX_TOTAL_MB while reading too, keeping the days before', async () => {
      const entries = [2, 3, 4, 5].map((d) => ({ name: `general/2026-03-0${d}.json`, data: day(1772352000 + d * 86400, 'x'.repeat(40 * KB)) }));
      const { rows, error } = await readWith(file('total-read.zip', zip([...base, ...entries])), { ...small, jsonMaxBytes: 64 * KB });
      expect(error).toMatchObject({ code: 'INGESTION.IMPORT_ZIP_TOO_LARGE', details: { limit: 'IMPORT_ZIP_MAX_TOTAL_MB', entry: 'general/2026-03-04.json' } });
      expect(error!.message).toMatch(/after 3 of 5 day files/);
      expect(messages(rows)).toHaveLength(3); // 03-01, 03-02, 03-03
    });

    it('turns Slack markup into text in linear time (256 KiB -> 1 MiB of unclosed "<" and of references)', async () => {
      const users = new Map([['U1', { name: 'Dana', email: null }]]);
      await expectLinear((t: string) => slackText(t, users, new Map()), (n) => '<@U1'.repeat(n / 4), { n: 256 * KB });
      await expectLinear((t: string) => slackText(t, users, new Map()), (n) => '<@U1> &amp; '.repeat(n / 12), { n: 256 * KB });
    });
  });
});

