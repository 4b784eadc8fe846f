import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import { slackExportZip } from '@test/support/fixtures/exports';
import { zip } from '@test/support/zip-writer';
import { readContext } from './read-context';
import { slackExportRows, slackText, slackUsers } from './slack-export.reader';

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
});
