import { readFileSync } from 'node:fs';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { QUOTE_EML, slackExportZip, THREAD_MBOX } from '@test/support/fixtures/exports';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';
import { zip } from '@test/support/zip-writer';

/**
 * Issue 12: a zip of mail files imports as mail. A folder of .eml files zipped by a mail program
 * (with the macOS leftovers such zips carry) and Google Takeout's zip of .mbox files are told
 * apart from a Slack export by their entries when no format is given; each message is stored
 * under its Message-ID, an oversized one is a rejected row alone, and a re-import stores nothing new.
 */
describe('ingestion: a zip of .eml or .mbox files (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let owner: SignedUp;
  let ws: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp({ env: { RUN_SUBSCRIPTIONS: 'false', IMPORT_EMAIL_MAX_MB: '1', IMPORT_ZIP_MAX_ENTRIES: '40' } });
    app = testApp.app;
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  });
  afterAll(() => testApp?.close());

  const upload = (file: Buffer, name: string, fields: Record<string, string> = {}) => {
    let req = http().post(`/api/v1/workspaces/${ws}/imports`).set(owner.auth);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', file, name);
  };
  const finished = (jobId: string) =>
    eventually(async () => {
      const res = await http().get(`/api/v1/workspaces/${ws}/jobs/${jobId}`).set(owner.auth).expect(200);
      return res.body.status === 'running' ? false : res.body;
    }, 30_000, 50);
  const imported = async (file: Buffer, name: string, fields: Record<string, string> = {}) => finished((await upload(file, name, fields).expect(202)).body.jobId);
  const sourceNamed = async (name: string) => (await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body.items.find((s: { name: string }) => s.name === name);
  const messagesOf = async (sourceId: string) => {
    const res = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: sourceId, limit: 500 }).set(owner.auth).expect(200);
    return new Map<string, any>(res.body.items.map((m: { externalId: string }) => [m.externalId, m]));
  };

  const eml = (id: string, subject: string, body: string, extra: string[] = []) =>
    [`Message-ID: <${id}>`, 'From: Dana Kim <dana@example.org>', 'To: Fox Lee <fox@example.org>', `Subject: ${subject}`, 'Date: Tue, 3 Mar 2026 10:00:00 +0000', ...extra, 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');

  it('imports "Mail export.zip" sent without a format as email-zip: .eml files in folders and an .mbox, by Message-ID; an oversized .eml rejected alone; a re-import stores nothing new', async () => {
    const oversized = eml('too-big@example.org', 'The scans', 'a line of a long scanned attachment\n'.repeat(40_000));
    expect(oversized.length).toBeGreaterThan(1024 * 1024);
    const file = zip([
      { name: 'Mail export/', data: '' },
      { name: 'Mail export/Inbox/', data: '' },
      { name: 'Mail export/Inbox/0002 Re SSO rollout.eml', data: eml('reply@example.org', 'Re: SSO rollout', 'Okta first, then Azure AD.', ['In-Reply-To: <kickoff@example.org>', 'References: <kickoff@example.org>']) },
      { name: 'Mail export/Inbox/0001 SSO rollout.eml', data: eml('kickoff@example.org', 'SSO rollout', 'We need SSO before the enterprise renewals.') },
      { name: '__MACOSX/Mail export/Inbox/._0001 SSO rollout.eml', data: Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]) },
      { name: 'Mail export/Inbox/.DS_Store', data: Buffer.alloc(64, 1) },
      { name: 'Mail export/Sent/Quote.EML', data: readFileSync(QUOTE_EML) },
      { name: 'Mail export/Sent/Scans.eml', data: oversized },
      { name: 'Mail export/Archive.mbox', data: readFileSync(THREAD_MBOX) },
    ]);
    const job = await imported(file, 'Mail export.zip');
    expect(job).toEqual(expect.objectContaining({
      status: 'completed',
      format: 'email-zip',
      fileName: 'Mail export.zip',
      counters: expect.objectContaining({ fetched: 7, stored: 6, duplicates: 0, rejected: 1 }),
    }));
    // Code-point order of the names: Archive.mbox (3), Inbox/0001, Inbox/0002, Sent/Quote.EML, Sent/Scans.eml.
    expect(job.errors).toEqual([
      { index: 6, externalId: 'too-big@example.org', errors: [{ field: '', message: expect.stringMatching(/^Mail export\/Sent\/Scans\.eml is [\d.]+ MiB, more than the 1 MiB an email may have \(IMPORT_EMAIL_MAX_MB\)$/) }] },
    ]);

    const source = await sourceNamed('Mail export');
    expect(source).toEqual(expect.objectContaining({ id: job.sourceId, kind: 'email' }));
    const stored = await messagesOf(source.id);
    expect([...stored.keys()].sort()).toEqual(['kickoff@example.org', 'quote-7@vendor.example', 'reply@example.org', 'thread-1@acme.example', 'thread-2@acme.example', 'thread-3@acme.example']);
    expect(stored.get('reply@example.org')).toEqual(expect.objectContaining({
      title: 'Re: SSO rollout',
      content: 'Okta first, then Azure AD.',
      threadId: 'kickoff@example.org',
      isReply: true,
      sentAt: '2026-03-03T10:00:00.000Z',
      author: expect.objectContaining({ name: 'Dana Kim', email: 'dana@example.org' }),
    }));
    expect(stored.get('kickoff@example.org')).toEqual(expect.objectContaining({ threadId: 'kickoff@example.org', isReply: false }));

    const again = await imported(file, 'Mail export.zip');
    expect(again).toEqual(expect.objectContaining({ status: 'completed', format: 'email-zip', sourceId: source.id, counters: expect.objectContaining({ fetched: 7, stored: 0, duplicates: 6, rejected: 1 }) }));
    expect((await messagesOf(source.id)).size).toBe(6);
  });

  it("imports Google Takeout's mail zip (Takeout/Mail/<label>.mbox) as email-zip", async () => {
    const takeout = zip([
      { name: 'Takeout/archive_browser.html', data: '<html>Takeout</html>' },
      { name: 'Takeout/Mail/All mail Including Spam and Trash.mbox', data: readFileSync(THREAD_MBOX) },
    ]);
    const job = await imported(takeout, 'takeout-20260303T101010Z-001.zip');
    expect(job).toEqual(expect.objectContaining({ status: 'completed', format: 'email-zip', counters: expect.objectContaining({ fetched: 3, stored: 3, rejected: 0 }) }));
    expect([...(await messagesOf(job.sourceId)).keys()].sort()).toEqual(['thread-1@acme.example', 'thread-2@acme.example', 'thread-3@acme.example']);
  });

  it('still takes a Slack export zip sent without a format as a Slack export', async () => {
    const job = await imported(slackExportZip({ topFolder: 'Acme Slack export/' }), 'Acme workspace.zip');
    expect(job).toEqual(expect.objectContaining({ status: 'completed', format: 'slack-export', counters: expect.objectContaining({ fetched: 10, stored: 8 }) }));
    expect(await sourceNamed('Acme workspace')).toEqual(expect.objectContaining({ kind: 'slack' }));
  });

  it('fails the job of an email-zip without mail in it, and refuses more entries than IMPORT_ZIP_MAX_ENTRIES with 413 before a job', async () => {
    const empty = await imported(zip([{ name: 'notes/readme.txt', data: 'no mail here' }]), 'Notes.zip', { format: 'email-zip' });
    expect(empty).toEqual(expect.objectContaining({ status: 'failed', format: 'email-zip' }));
    expect(empty.errors.at(-1).errors[0].message).toMatch(/no \.eml or \.mbox files in the zip/);

    const many = zip(Array.from({ length: 41 }, (_, i) => ({ name: `Inbox/${i}.eml`, data: eml(`m${i}@example.org`, `Mail ${i}`, 'hello') })));
    const res = await upload(many, 'Many mails.zip');
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 413, code: 'INGESTION.IMPORT_ZIP_TOO_MANY_ENTRIES' });
    expect(await sourceNamed('Many mails')).toBeUndefined();
  });
});
