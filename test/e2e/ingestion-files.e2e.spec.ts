import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { CliModule } from '@app/cli/cli.module';
import { loadAppConfig } from '@app/config/app-config';
import { PG_POOL } from '@libs/database/database-backend';
import { QUOTE_EML, slackExportZip, TELEGRAM_RESULT_JSON, THREAD_MBOX } from '@test/support/fixtures/exports';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp, signUpVerified } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';
import { TestDatabase } from '@test/support/test-database';
import { zip } from '@test/support/zip-writer';

/**
 * POST /workspaces/:ws/imports (multipart) for every export format, followed through
 * GET /jobs/:jobId; and the CLI's `import <file>` against the same database.
 */
describe('ingestion: export files through POST /imports and the CLI (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let db: TestDatabase | undefined;
  let owner: SignedUp;
  let ws: string;
  let uploads: string;
  let files: string;
  // One keyring for the app and the CLI processes (they share the subjects' keys).
  const SECRETS_KEYS = `k1:${randomBytes(32).toString('base64')}`;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'imports-e2e-files-'));
    // multer writes into os.tmpdir(): a directory of this test's own, to see every upload removed.
    uploads = mkdtempSync(join(tmpdir(), 'imports-e2e-'));
    testApp = await createTestApp({ env: { IMPORT_MAX_FILE_MB: '1', SECRETS_KEYS }, processEnv: { TMPDIR: uploads } });
    ({ app, db } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  });
  afterAll(async () => {
    await testApp?.close();
    rmSync(uploads, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  const problem = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };
  const upload = (file: Buffer | string, name: string, fields: Record<string, string> = {}, who: SignedUp = owner) => {
    let req = http().post(`/api/v1/workspaces/${ws}/imports`).set(who.auth);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', typeof file === 'string' ? readFileSync(file) : file, name);
  };
  /** Polls the job until it is no longer running. */
  const finished = (jobId: string) =>
    eventually(async () => {
      const res = await http().get(`/api/v1/workspaces/${ws}/jobs/${jobId}`).set(owner.auth).expect(200);
      return res.body.status === 'running' ? false : res.body;
    }, 30_000, 50);
  const imported = async (file: Buffer | string, name: string, fields: Record<string, string> = {}) => {
    const res = await upload(file, name, fields).expect(202);
    expect(res.body).toEqual({ jobId: expect.any(String) });
    // The job exists as soon as the answer does.
    await http().get(`/api/v1/workspaces/${ws}/jobs/${res.body.jobId}`).set(owner.auth).expect(200);
    return finished(res.body.jobId);
  };
  const sourceNamed = async (name: string) => (await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body.items.find((s: { name: string }) => s.name === name);
  const messagesOf = async (sourceId: string) => {
    const res = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: sourceId, limit: 500 }).set(owner.auth).expect(200);
    return new Map<string, any>(res.body.items.map((m: { externalId: string }) => [m.externalId, m]));
  };

  it('imports a Slack workspace export: threads, replies, edits, bots, files, users resolved; bad rows by index; re-import stores nothing new', async () => {
    const file = slackExportZip();
    const job = await imported(file, 'Acme Slack export Mar 2026.zip', { format: 'slack-export' });
    expect(job).toEqual(expect.objectContaining({
      status: 'completed',
      kind: 'import',
      format: 'slack-export',
      fileName: 'Acme Slack export Mar 2026.zip',
      counters: expect.objectContaining({ fetched: 10, stored: 8, skipped: 0, errors: 2 }),
    }));
    expect(job.errors.map((e: { index: number }) => e.index)).toEqual([6, 9]);
    expect(job.errors[0].errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'externalId', message: expect.stringContaining('general/2026-03-02.json[7]') })]));
    expect(job.errors[1].errors[0].message).toMatch(/product\/2026-03-04\.json could not be read/);

    const source = await sourceNamed('Acme Slack export Mar 2026');
    expect(source).toEqual(expect.objectContaining({ id: job.sourceId, kind: 'slack' }));
    const msgs = await messagesOf(source.id);
    expect(msgs.size).toBe(8);
    expect(msgs.get('C01GENERAL:1772445600.000100')).toEqual(expect.objectContaining({
      content: "We need SSO before @Fox Mulder's enterprise customers sign & renew",
      threadId: 'C01GENERAL:1772445600.000100',
      isReply: false,
      channelId: 'C01GENERAL',
      channelName: 'general',
      author: { name: 'Dana Scully', email: 'dana@acme.example', externalId: 'U01DANA' },
      metadata: expect.objectContaining({ replyCount: 2, reactions: [{ name: '+1', count: 1, users: ['Fox Mulder'] }] }),
    }));
    expect(msgs.get('C01GENERAL:1772445660.000300')).toEqual(expect.objectContaining({
      content: 'Okta and Azure AD',
      threadId: 'C01GENERAL:1772445600.000100',
      isReply: true,
      sentAt: '2026-03-02T10:01:00.000Z',
      metadata: expect.objectContaining({ edited: { by: 'Dana Scully', at: '2026-03-02T10:01:30.000Z' } }),
    }));
    expect(msgs.get('C01GENERAL:1772445720.000500')).toEqual(expect.objectContaining({ author: { name: 'Deploy Bot', email: null, externalId: 'B0DEPLOY' }, metadata: expect.objectContaining({ bot: { id: 'B0DEPLOY', name: 'Deploy Bot' } }) }));
    expect(msgs.get('C01GENERAL:1772445780.000600').metadata.attachments).toEqual([{ name: 'roadmap.pdf', type: 'application/pdf', size: 12345 }]);

    const again = await imported(file, 'Acme Slack export Mar 2026.zip', { format: 'slack-export' });
    expect(again).toEqual(expect.objectContaining({ status: 'completed', sourceId: source.id, counters: expect.objectContaining({ fetched: 10, stored: 0, skipped: 8, errors: 2 }) }));
    expect((await messagesOf(source.id)).size).toBe(8);
  });

  it('imports a Telegram result.json (format told from the name): service messages left out, reply chains, entity text; a bad date by index', async () => {
    const job = await imported(TELEGRAM_RESULT_JSON, 'result.json');
    expect(job).toEqual(expect.objectContaining({ status: 'completed', format: 'telegram-export', counters: expect.objectContaining({ fetched: 5, stored: 4, skipped: 0, errors: 1 }) }));
    expect(job.errors).toEqual([{ index: 6, externalId: '-1001987654321:7', errors: [expect.objectContaining({ field: 'sentAt' })] }]);
    const source = await sourceNamed('Telegram export');
    expect(source.kind).toBe('telegram');
    const msgs = await messagesOf(source.id);
    expect([...msgs.keys()].sort()).toEqual(['-1001987654321:2', '-1001987654321:3', '-1001987654321:4', '-1001987654321:5']);
    expect(msgs.get('-1001987654321:4')).toEqual(expect.objectContaining({
      content: 'Yes, SSO goes first',
      threadId: '-1001987654321:2',
      isReply: true,
      channelName: 'Product Council',
      author: { name: 'Dana Scully', email: null, externalId: 'user111' },
    }));
    expect(msgs.get('-1001987654321:3').content).toBe('Can we add SSO to it? Spec: https://docs.acme.example/sso and the pricing page (https://acme.example/pricing)');
    const again = await imported(TELEGRAM_RESULT_JSON, 'result.json', { format: 'telegram-export' });
    expect(again.counters).toEqual(expect.objectContaining({ stored: 0, skipped: 4, errors: 1 }));
  });

  it('imports an mbox thread and an .eml into one named source: threads by References, to/cc, email fields, attachments listed', async () => {
    const mbox = await imported(THREAD_MBOX, 'Takeout Inbox.mbox', { format: 'mbox', sourceName: 'Support inbox' });
    expect(mbox).toEqual(expect.objectContaining({ status: 'completed', counters: expect.objectContaining({ fetched: 3, stored: 3, errors: 0 }) }));
    const eml = await imported(QUOTE_EML, 'quote.eml', { sourceName: 'Support inbox' });
    expect(eml).toEqual(expect.objectContaining({ status: 'completed', format: 'eml', sourceId: mbox.sourceId, counters: expect.objectContaining({ fetched: 1, stored: 1 }) }));
    const msgs = await messagesOf(mbox.sourceId);
    expect([...msgs.values()].filter((m) => m.threadId === 'thread-1@acme.example').map((m) => [m.externalId, m.isReply]).sort()).toEqual([
      ['thread-1@acme.example', false],
      ['thread-2@acme.example', true],
      ['thread-3@acme.example', true],
    ]);
    expect(msgs.get('thread-1@acme.example')).toEqual(expect.objectContaining({
      title: 'SSO pricing',
      to: ['fox@acme.example'],
      cc: ['walter@acme.example'],
      author: { name: 'Dana Scully', email: 'dana@acme.example', externalId: null },
      email: expect.objectContaining({ labels: ['Inbox', 'Important', 'Opened'], isImportant: true }),
    }));
    expect(msgs.get('quote-7@vendor.example')).toEqual(expect.objectContaining({
      title: 'Quote for the SSO add-on',
      content: 'Hello Dana,\nPlease find the quote attached.',
      cc: ['fox@acme.example', 'procurement@acme.example'],
      email: expect.objectContaining({ bcc: ['archive@vendor.example'] }),
      metadata: expect.objectContaining({ attachments: [expect.objectContaining({ name: 'logo.png', inline: true }), { name: 'quote.pdf', type: 'application/pdf', size: 77 }, { name: 'prices.csv', type: 'text/csv', size: 41 }] }),
    }));
    const again = await imported(THREAD_MBOX, 'Takeout Inbox.mbox', { sourceName: 'Support inbox' });
    expect(again.counters).toEqual(expect.objectContaining({ fetched: 3, stored: 0, skipped: 3 }));
  });

  it('imports csv, ndjson and json files too, each as a job', async () => {
    const csv = await imported(Buffer.from('Message ID,Body,Date\nf-1,"Hello, SSO?",2026-02-01T09:00:00Z\nf-2,Second,2026-02-02\n'), 'notes.csv', { mapping: JSON.stringify({ externalId: 'Message ID' }) });
    expect(csv).toEqual(expect.objectContaining({ status: 'completed', format: 'csv', counters: expect.objectContaining({ fetched: 2, stored: 2 }) }));
    const ndjson = await imported(Buffer.from('{"externalId":"n-1","content":"one","sentAt":"2026-02-01"}\n{"externalId":\n{"externalId":"n-2","content":"two","sentAt":"2026-02-02"}\n'), 'backfill.ndjson');
    expect(ndjson).toEqual(expect.objectContaining({ format: 'ndjson', counters: expect.objectContaining({ fetched: 3, stored: 2, errors: 1 }), errors: [{ index: 1, errors: [expect.objectContaining({ message: expect.stringMatching(/not valid JSON/) })] }] }));
    const json = await imported(Buffer.from(JSON.stringify({ messages: [{ externalId: 'j-1', content: 'from json', sentAt: '2026-02-03' }] })), 'legacy.json');
    expect(json).toEqual(expect.objectContaining({ format: 'json', counters: expect.objectContaining({ fetched: 1, stored: 1 }) }));
    expect((await sourceNamed('notes')).kind).toBe('api');
  });

  it('records a file that turns out unreadable as a failed job with the reason', async () => {
    const job = await imported(zip([{ name: 'readme.txt', data: 'not slack' }]), 'other.zip');
    expect(job).toEqual(expect.objectContaining({ status: 'failed', format: 'slack-export' }));
    expect(job.errors).toEqual([{ index: -1, errors: [expect.objectContaining({ message: expect.stringMatching(/no channels\.json or users\.json/) })] }]);
  });

  it('answers 400 for a missing file or format and a file that is not its format, 413 over IMPORT_MAX_FILE_MB, 404 for an unknown source, 403 for a viewer; no upload is left behind', async () => {
    const missing = await http().post(`/api/v1/workspaces/${ws}/imports`).set(owner.auth).field('format', 'mbox');
    problem(missing, 400, 'VALIDATION_FAILED');
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'file' })]);
    const badFormat = await upload(THREAD_MBOX, 'x.mbox', { format: 'fax' });
    problem(badFormat, 400, 'VALIDATION_FAILED');
    expect(badFormat.body.errors.map((e: { field: string }) => e.field)).toEqual(['format']);
    const unknown = await upload(Buffer.from('hello'), 'notes.txt');
    problem(unknown, 400, 'VALIDATION_FAILED');
    expect(unknown.body.errors[0]).toEqual({ field: 'format', message: expect.stringContaining('could not be told from the file name "notes.txt"') });
    problem(await upload(Buffer.from('hello, I am not an mbox\n'), 'x.mbox'), 400, 'INGESTION.IMPORT_FORMAT_INVALID');
    problem(await upload(Buffer.from('{"not":"a zip"}'), 'x.zip'), 400, 'INGESTION.IMPORT_FORMAT_INVALID');
    problem(await upload(Buffer.alloc(0), 'empty.eml'), 400, 'INGESTION.IMPORT_FORMAT_INVALID');
    problem(await upload(THREAD_MBOX, 'x.mbox', { sourceId: uuidv7() }), 404, 'INGESTION.SOURCE_NOT_FOUND');
    const big = Buffer.concat([Buffer.from('From a@b Mon Mar  2 10:00:00 2026\n\n'), Buffer.alloc(1024 * 1024 + 10, 'x')]);
    problem(await upload(big, 'big.mbox'), 413, 'PAYLOAD_TOO_LARGE');
    const viewer = await signUpVerified(app);
    await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: viewer.email, role: 'viewer' }).expect(201);
    problem(await upload(THREAD_MBOX, 'x.mbox', {}, viewer), 403, 'FORBIDDEN');
    await eventually(() => expect(readdirSync(uploads)).toEqual([]));
  });

  describe('CLI: import <file> --workspace <id>', () => {
    let dataDir: string | undefined;
    let cliWs: string;
    let cliApp: INestApplicationContext;

    beforeAll(async () => {
      if (db) cliWs = await createWorkspace(app, owner);
      else {
        // Embedded: a database on disk that an app makes (migrations, a workspace) and then hands over to the CLI.
        // (No consumers: this app only makes the workspace, and closes at once.)
        dataDir = mkdtempSync(join(files, 'data-'));
        const setup = await createTestApp({ env: { DATA_DIR: dataDir, RUN_SUBSCRIPTIONS: 'false', SECRETS_KEYS } });
        cliWs = await createWorkspace(setup.app, await signUp(setup.app));
        await setup.close();
      }
      // The CLI's own module (no HTTP, no consumers), as `npm run cli --` builds it.
      cliApp = await CommandFactory.createWithoutRunning(CliModule.forRoot(loadAppConfig({ DATABASE_URL: db?.url, DATA_DIR: dataDir ?? 'memory://', LOG_LEVEL: 'silent', SECRETS_KEYS })), { logger: false });
    }, 180_000);
    afterAll(async () => {
      await cliApp?.close();
    });

    /**
     * Runs `cli import ...args` through commander (argument parsing included), capturing stdout.
     * Commander 11 keeps option values between parses of one program: each call names the options it relies on.
     */
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const exitCode = process.exitCode;
      process.exitCode = undefined;
      try {
        await cliApp.get(CommandRunnerService).run(['node', 'cli', 'import', ...args]);
        return { stdout: out.join(''), exitCode: process.exitCode ?? 0 };
      } finally {
        write.mockRestore();
        stderr.mockRestore();
        process.exitCode = exitCode;
      }
    };

    it('imports a Slack export (format told from the name) with a final JSON summary; again, everything is a duplicate', async () => {
      const file = join(files, 'Acme export.zip');
      writeFileSync(file, slackExportZip());
      const first = await cli(file, '--workspace', cliWs);
      expect(first.exitCode).toBe(0);
      const summary = JSON.parse(first.stdout);
      expect(summary).toEqual({
        jobId: expect.any(String),
        status: 'completed',
        file: 'Acme export.zip',
        format: 'slack-export',
        source: { id: expect.any(String), kind: 'slack', name: 'Acme export' },
        rows: 10,
        stored: 8,
        duplicates: 0,
        rejected: 2,
        skipped: { channel_join: 1, message_deleted: 1, 'message_changed (folded into the original)': 1 },
        firstRejected: [expect.objectContaining({ index: 6 }), expect.objectContaining({ index: 9 })],
        error: null,
        durationMs: expect.any(Number),
      });
      const second = JSON.parse((await cli(file, '--workspace', cliWs, '--format', 'slack-export')).stdout);
      expect(second).toEqual(expect.objectContaining({ status: 'completed', source: summary.source, stored: 0, duplicates: 8, rejected: 2 }));
      const mail = JSON.parse((await cli(THREAD_MBOX, '--workspace', cliWs, '--format', 'mbox', '--source-name', 'Archive')).stdout);
      expect(mail).toEqual(expect.objectContaining({ format: 'mbox', source: expect.objectContaining({ kind: 'email', name: 'Archive' }), stored: 3 }));

      // The job and the messages are there as for any import.
      const pool = cliApp.get<Pool>(PG_POOL);
      const job = await pool.query(`SELECT status, messages_fetched, messages_stored, errors_count FROM ingestion_jobs_view WHERE id = $1`, [summary.jobId]);
      expect(job.rows[0]).toEqual({ status: 'completed', messages_fetched: 10, messages_stored: 8, errors_count: 2 });
      const n = await pool.query(`SELECT count(*)::int AS n FROM ingestion_messages_view WHERE workspace_id = $1`, [cliWs]);
      expect(n.rows[0].n).toBe(11);
    });

    it('refuses an unknown workspace, a missing file or a file that is not its format with exit code 2, nothing imported', async () => {
      const jobs = async () => (await cliApp.get<Pool>(PG_POOL).query(`SELECT count(*)::int AS n FROM ingestion_jobs_view`)).rows[0].n;
      const before = await jobs();
      expect(await cli(THREAD_MBOX, '--workspace', uuidv7(), '--format', 'mbox')).toEqual({ stdout: '', exitCode: 2 });
      expect(await cli(join(files, 'nope.mbox'), '--workspace', cliWs, '--format', 'mbox')).toEqual({ stdout: '', exitCode: 2 });
      expect(await cli(join(files, 'Acme export.zip'), '--workspace', cliWs, '--format', 'mbox')).toEqual({ stdout: '', exitCode: 2 });
      expect(await jobs()).toBe(before);
    });
  });
});
