import { ChildProcess, spawn } from 'node:child_process';
import { Global, Module } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { OUTBOUND_RESOLVER, ResolveAll } from '@libs/common/net/outbound-guard';
import { syncThroughApi } from '@test/support/pull-sync-client';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { PULL_SYNC_JOB } from '@modules/ingestion/application/pull-sync/pull-sync.schedule';
import { folderStream, ImapSyncRunner } from '@modules/ingestion/application/pull-sync/imap-sync.runner';
import { PullSource, SyncRunnerDeps } from '@modules/ingestion/application/pull-sync/sync-runner';
import { ConnectorHttp } from '@modules/ingestion/infrastructure/connectors/connector-http';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { Dovecot } from '@test/support/dovecot';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const KEYS = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
/** Every password of the suite: none may ever show in an answer, an event or a log line. */
// Several processes sharing one database is the PostgreSQL mode (the embedded one is single-process).
const itPg = process.env.TEST_DATABASE_URL ? it : it.skip;
const PASSWORDS = { liam: 'liam-Pw-9d9d9d', kim: 'kim-Pw-2c2c2c', alice: 'alice-Pw-5f1c9e', bob: 'bob-Pw-0a77d2', carol: 'carol-Pw-93be41', dave: 'dave-Pw-c4d810', erin: 'erin-Pw-7e02ab', grace: 'grace-Pw-88aa11', heidi: 'heidi-Pw-5e5e5e', judy: 'judy-Pw-6b6b6b' };

let n = 0;
/** An RFC 822 message with its own Message-ID. */
function mail(subject: string, body: string, extra: { id?: string; inReplyTo?: string; references?: string; headers?: string[] } = {}): string {
  const id = extra.id ?? `m${++n}.${uuidv7()}@mail.example`;
  return [
    'From: Dana Scully <dana@fbi.example>',
    'To: Fox Mulder <fox@fbi.example>',
    `Subject: ${subject}`,
    'Date: Thu, 01 Jan 2026 10:00:00 +0000',
    `Message-ID: <${id}>`,
    ...(extra.inReplyTo ? [`In-Reply-To: <${extra.inReplyTo}>`] : []),
    ...(extra.references ? [`References: <${extra.references}>`] : []),
    ...(extra.headers ?? []),
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}
const idOf = (raw: string) => /Message-ID: <([^>]+)>/.exec(raw)![1];

describe('ingestion: IMAP sync against a real Dovecot (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let databaseUrl: string | undefined;
  const children: ChildProcess[] = [];
  let owner: SignedUp;
  let ws: string;
  const logs: string[] = [];
  const dovecot = new Dovecot({ users: { ...PASSWORDS } });
  const http = () => request(app.getHttpServer());
  const sources: string[] = [];

  beforeAll(async () => {
    await dovecot.start();
    testApp = await createTestApp({ env: { RUN_JOBS: 'true', LOG_LEVEL: 'info', SECRETS_KEYS: KEYS, PULL_SYNC_CRON: '0 0 1 1 *', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1' }, logLines: logs });
    ({ app, pool } = testApp);
    databaseUrl = testApp.db?.url;
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await testApp?.close();
    await dovecot.stop();
  });

  const connect = async (credentials: Record<string, unknown>, config: Record<string, unknown> = {}) => {
    const res = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'imap', name: `imap ${uuidv7().slice(-6)}`, credentials, config });
    expect(res.status).toBe(201);
    sources.push(res.body.id);
    return res.body as { id: string; accountVerified: boolean; externalId: string };
  };
  const job = async (jobId: string) => (await http().get(`/api/v1/workspaces/${ws}/jobs/${jobId}`).set(owner.auth).expect(200)).body;
  const syncViaApi = (sourceId: string) => syncThroughApi(http, { workspaceId: ws, auth: owner.auth, sourceId });
  const stored = async (sourceId: string) => {
    const view = await pool.query(`SELECT external_id FROM ingestion_messages_view WHERE source_id = $1`, [sourceId]);
    const log = await pool.query(
      `SELECT payload->>'externalId' AS external_id, count(*)::int AS n FROM events WHERE event_type = 'ingestion.message-ingested' AND payload->>'sourceId' = $1 GROUP BY 1`,
      [sourceId],
    );
    return { ids: view.rows.map((r) => r.external_id as string).sort(), logged: log.rows.length, maxPerMessage: Math.max(0, ...log.rows.map((r) => r.n as number)) };
  };
  /** Exactly these messages, each once in the read model and once in the log. */
  const expectExactly = async (sourceId: string, raws: string[]) => {
    const s = await stored(sourceId);
    expect(s.ids).toEqual(raws.map(idOf).sort());
    expect(s.logged).toBe(raws.length);
    expect(s.maxPerMessage).toBe(1);
  };
  const watermark = async (sourceId: string, folder: string) =>
    (await pool.query(`SELECT cursor_id, meta FROM ingestion_sync_watermarks WHERE source_id = $1 AND stream = $2`, [sourceId, folderStream(folder)])).rows[0] ?? null;
  const pullSource = async (sourceId: string): Promise<PullSource> => {
    const r = (await pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [sourceId])).rows[0];
    return { id: r.id, workspaceId: r.workspace_id, kind: r.kind, credentialsCiphertext: r.credentials_ciphertext, config: r.config };
  };
  const deps = (): SyncRunnerDeps => ({
    pool,
    writer: app.get(MessageWriter),
    aggregates: app.get(IngestionAggregates),
    credentials: app.get(SourceCredentials),
    http: app.get(ConnectorHttp).options(),
  });
  const meta = () => ({ commandId: uuidv7(), workspaceId: ws, actorId: null, correlationId: uuidv7(), now: new Date() });

  it('backfills the chosen folders (proven by a login), then stores only new mail; threads and flags as imports read them', async () => {
    const root = mail('CSV export fails', 'The CSV export times out after 30 seconds.');
    const reply = mail('Re: CSV export fails', 'We are on it, fix ships Tuesday.', { inReplyTo: idOf(root), references: idOf(root) });
    const inbox = [root, reply, mail('Invoice', 'Please find the invoice attached.')];
    const archive = [mail('Old thread', 'From last year.'), mail('Older thread', 'From two years ago.')];
    await dovecot.append('alice', 'INBOX', inbox.slice(0, 2), ['\\Seen']);
    await dovecot.append('alice', 'INBOX', inbox.slice(2));
    await dovecot.append('alice', 'Archive', archive);
    const source = await connect(dovecot.credentials('alice'), { folders: ['INBOX', 'Archive'] });
    expect(source).toMatchObject({ accountVerified: true, externalId: expect.stringMatching(/^user-sha256:[0-9a-f]{32}@127\.0\.0\.1:\d+$/) });

    const first = await syncViaApi(source.id);
    expect(first).toMatchObject({ status: 'completed', kind: 'sync', format: 'imap', counters: { fetched: 5, stored: 5, errors: 0 } });
    await expectExactly(source.id, [...inbox, ...archive]);
    const list = (await http().get(`/api/v1/workspaces/${ws}/messages?source=${source.id}&q=CSV%20export`).set(owner.auth).expect(200)).body;
    expect(list.items.map((m: { externalId: string }) => m.externalId).sort()).toEqual([idOf(root), idOf(reply)].sort());
    const rows = await pool.query(`SELECT external_id, thread_id, is_reply, title, author_email, email, metadata FROM ingestion_messages_view WHERE source_id = $1`, [source.id]);
    const byId = new Map(rows.rows.map((r) => [r.external_id, r]));
    expect(byId.get(idOf(reply))).toMatchObject({ thread_id: idOf(root), is_reply: true, title: 'Re: CSV export fails', author_email: 'dana@fbi.example' });
    expect(byId.get(idOf(root))).toMatchObject({ thread_id: idOf(root), is_reply: false, email: expect.objectContaining({ isUnread: false, labels: ['INBOX'] }) });
    expect(byId.get(idOf(inbox[2])).email).toMatchObject({ isUnread: true });
    expect(byId.get(idOf(archive[0])).metadata).toMatchObject({ imap: { folder: 'Archive', uid: 1 } });
    const wm = await watermark(source.id, 'INBOX');
    expect(wm).toMatchObject({ cursor_id: '3', meta: { uidValidity: await dovecot.uidValidity('alice', 'INBOX') } });

    // Nothing new: nothing fetched. Then one new message: only it is fetched and stored.
    expect(await syncViaApi(source.id)).toMatchObject({ status: 'completed', counters: { fetched: 0, stored: 0 } });
    const late = mail('New question', 'Can I export to XLSX?');
    await dovecot.append('alice', 'INBOX', [late]);
    expect(await syncViaApi(source.id)).toMatchObject({ status: 'completed', counters: { fetched: 1, stored: 1, duplicates: 0 } });
    await expectExactly(source.id, [...inbox, ...archive, late]);
    expect((await watermark(source.id, 'INBOX')).cursor_id).toBe('4');
    expect((await http().get(`/api/v1/workspaces/${ws}/sources/${source.id}`).set(owner.auth).expect(200)).body).toMatchObject({ syncStatus: 'success', syncError: null, hasCredentials: true });
  });

  it('a UIDVALIDITY change (the folder recreated) reads the folder again and doubles nothing', async () => {
    const old = [mail('Kept one', 'first'), mail('Kept two', 'second'), mail('Kept three', 'third')];
    // No Message-ID: known again by the hash of its header block, as imports know it.
    const anonymous = 'From: x@y.example\r\nSubject: no id\r\nDate: Thu, 01 Jan 2026 11:00:00 +0000\r\n\r\nA message without an id.\r\n';
    const before = await dovecot.append('bob', 'Projects', [...old, anonymous]);
    const source = await connect(dovecot.credentials('bob'), { folders: ['Projects'] });
    expect(await syncViaApi(source.id)).toMatchObject({ status: 'completed', counters: { stored: 4 } });
    expect(await watermark(source.id, 'Projects')).toMatchObject({ cursor_id: '4', meta: { uidValidity: before } });
    const hashed = (await stored(source.id)).ids.filter((id) => id.startsWith('sha256:'));
    expect(hashed).toHaveLength(1);

    // Restored in another order with one new message: the old UIDs mean nothing now.
    const fresh = mail('Arrived during the restore', 'fourth');
    const after = await dovecot.recreate('bob', 'Projects', [old[2], anonymous, fresh, old[0], old[1]]);
    expect(after).not.toBe(before);
    const resync = await syncViaApi(source.id);
    expect(resync).toMatchObject({ status: 'completed', counters: { fetched: 5, stored: 1, duplicates: 4 } });
    const s = await stored(source.id);
    expect(s.ids).toEqual([...[...old, fresh].map(idOf), ...hashed].sort());
    expect({ logged: s.logged, maxPerMessage: s.maxPerMessage }).toEqual({ logged: 5, maxPerMessage: 1 });
    expect(await watermark(source.id, 'Projects')).toMatchObject({ cursor_id: '5', meta: { uidValidity: after } });
    expect(await syncViaApi(source.id)).toMatchObject({ status: 'completed', counters: { fetched: 0 } });
  });

  it('stores a message with a broken charset readable (undecodable bytes as U+FFFD), and one in a legacy charset decoded', async () => {
    const broken = Buffer.concat([
      Buffer.from(['From: a@x.example', 'Subject: broken bytes', 'Message-ID: <broken-1@x.example>', 'Content-Type: text/plain; charset=utf-8', '', 'Le caf'].join('\r\n')),
      Buffer.from([0xe9, 0xff]),
      Buffer.from(' est pr\u00eat, merci.\r\n'),
    ]);
    const latin = Buffer.concat([
      Buffer.from(['From: b@x.example', 'Subject: latin', 'Message-ID: <latin-1@x.example>', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit', '', 'D'].join('\r\n')),
      Buffer.from([0xe9]),
      Buffer.from([0x6a, 0xe0, 0x20, 0x76, 0x75, 0x0d, 0x0a]),
    ]);
    const unknown = ['From: c@x.example', 'Subject: unknown charset', 'Message-ID: <unknown-1@x.example>', 'Content-Type: text/plain; charset=x-no-such-charset', '', 'plain words survive', ''].join('\r\n');
    await dovecot.append('carol', 'INBOX', [broken, latin, unknown]);
    const source = await connect(dovecot.credentials('carol'));
    expect(await syncViaApi(source.id)).toMatchObject({ status: 'completed', counters: { stored: 3, errors: 0 } });
    const rows = await pool.query(`SELECT external_id, content FROM ingestion_messages_view WHERE source_id = $1`, [source.id]);
    const content = new Map(rows.rows.map((r) => [r.external_id, r.content as string]));
    expect(content.get('broken-1@x.example')).toMatch(/^Le caf\uFFFD+ est pr\u00eat, merci\.$/);
    expect(content.get('latin-1@x.example')).toBe('D\u00e9j\u00e0 vu');
    expect(content.get('unknown-1@x.example')).toBe('plain words survive');
  });

  it('a wrong password: saved unproven, and the sync fails saying to fix the credentials; fixed, it syncs', async () => {
    await dovecot.append('dave', 'INBOX', [mail('Hello', 'hi')]);
    const source = await connect(dovecot.credentials('dave', { password: 'not-the-password' }));
    expect(source.accountVerified).toBe(false);
    const failed = await syncViaApi(source.id);
    expect(failed).toMatchObject({ status: 'failed' });
    const s = (await http().get(`/api/v1/workspaces/${ws}/sources/${source.id}`).set(owner.auth).expect(200)).body;
    expect(s).toMatchObject({ syncStatus: 'error', syncError: expect.stringMatching(/refused the login: check the username and password.*update the source's credentials/) });
    const verify = await http().post(`/api/v1/workspaces/${ws}/sources/${source.id}/verify`).set(owner.auth).expect(422);
    expect(verify.body.detail).toMatch(/refused the login/);

    await http().patch(`/api/v1/workspaces/${ws}/sources/${source.id}`).set(owner.auth).send({ credentials: dovecot.credentials('dave') }).expect(200);
    expect(await syncViaApi(source.id)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
  });

  it('TLS is required unless configured otherwise: an untrusted certificate or a server without STARTTLS is an error, cleartext only with tls=false', async () => {
    await dovecot.append('erin', 'INBOX', [mail('Over TLS', 'secret plans')]);
    // Implicit TLS on the IMAPS port, certificate checked: the self-signed one is refused.
    const strict = await connect({ host: dovecot.host, port: dovecot.tlsPort, username: 'erin', password: PASSWORDS.erin, tls: 'implicit' });
    expect(strict.accountVerified).toBe(false);
    await syncViaApi(strict.id);
    expect((await http().get(`/api/v1/workspaces/${ws}/sources/${strict.id}`).set(owner.auth).expect(200)).body.syncError).toMatch(/no trusted TLS connection.*allowSelfSigned/);
    // The same with allowSelfSigned over implicit TLS: synced.
    const trusted = await connect({ host: dovecot.host, port: dovecot.tlsPort, username: 'erin', password: PASSWORDS.erin, tls: 'implicit', allowSelfSigned: true });
    expect(await syncViaApi(trusted.id)).toMatchObject({ status: 'completed', counters: { stored: 1 } });

    const plain = await new Dovecot({ mode: 'plain', users: { frank: 'frank-Pw-1d2e3f' } }).start();
    try {
      await plain.append('frank', 'INBOX', [mail('Cleartext', 'on a private network')]);
      // tls left at its default against a server that offers no STARTTLS: refused before the password is sent.
      const required = await connect({ host: plain.host, port: plain.port, username: 'frank', password: 'frank-Pw-1d2e3f' });
      expect(required.accountVerified).toBe(false);
      await syncViaApi(required.id);
      expect((await http().get(`/api/v1/workspaces/${ws}/sources/${required.id}`).set(owner.auth).expect(200)).body.syncError).toMatch(/no trusted TLS connection/);
      expect(plain.log()).not.toMatch(/imap-login: Login: user=<frank>/);
      const cleartext = await connect(plain.credentials('frank'));
      expect(cleartext.accountVerified).toBe(true);
      expect(await syncViaApi(cleartext.id)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
    } finally {
      await plain.stop();
    }
  }, 60_000);

  it('a stopped sync resumes from its folder watermark: nothing fetched twice, nothing lost', async () => {
    const user = 'grace';
    const raws = Array.from({ length: 9 }, (_, i) => mail(`Batch ${i}`, `message number ${i}`));
    await dovecot.append(user, 'INBOX', raws);
    const source = await connect(dovecot.credentials(user));
    const controller = new AbortController();
    const base = deps();
    const real = base.writer;
    let pages = 0;
    // The run is stopped once its second page is stored (a shutdown, a lost lease, kill -9 between pages).
    const writer = Object.assign(Object.create(Object.getPrototypeOf(real)), real, {
      ingest: async (...args: Parameters<MessageWriter['ingest']>) => {
        const out = await real.ingest(...args);
        if (++pages === 2) controller.abort(new Error('stopped by the test'));
        return out;
      },
    }) as MessageWriter;
    const runner = new ImapSyncRunner({ ...base, writer }, { batchSize: 3 });
    const stopped = await runner.run(await pullSource(source.id), { meta: meta(), signal: controller.signal });
    expect(stopped).toMatchObject({ status: 'failed', stored: 6, error: expect.stringMatching(/interrupted: stopped by the test.*resumes from the watermark/) });
    expect((await watermark(source.id, 'INBOX')).cursor_id).toBe('6');
    expect((await stored(source.id)).ids).toHaveLength(6);

    const resumed = await new ImapSyncRunner(deps(), { batchSize: 3 }).run(await pullSource(source.id), { meta: meta() });
    // It did not start over: only UIDs 7-9 were fetched.
    expect(resumed).toMatchObject({ status: 'completed', fetched: 3, stored: 3, skipped: 0 });
    await expectExactly(source.id, raws);
  });

  itPg('resumes from its folder watermark after kill -9 of the syncing process', async () => {
    const total = 1500;
    const raws = Array.from({ length: total }, (_, i) => mail(`Bulk ${i}`, `bulk message ${i}`));
    dovecot.fillMaildir('liam', 'INBOX', raws);
    const source = await connect(dovecot.credentials('liam'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pull-sync-process.ts', databaseUrl!, source.id, KEYS], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const out: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    // Killed as soon as its first page is stored and the watermark moved (pages of 100).
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`the child ended before it was killed: ${out.join('')}`);
      return Number((await watermark(source.id, 'INBOX'))?.cursor_id ?? 0) >= 100;
    }, 60_000, 5);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const killedJob = /JOB (\S+)/.exec(out.join(''))![1];
    expect(await job(killedJob)).toMatchObject({ status: 'running' });
    // Where the killed run stood: every UID up to the watermark is stored (a page in flight may be stored without its watermark).
    const at = Number((await watermark(source.id, 'INBOX')).cursor_id);
    const storedBefore = (await stored(source.id)).ids.length;
    expect(at).toBeLessThan(total);
    expect(storedBefore).toBeGreaterThanOrEqual(at);

    const done = await syncViaApi(source.id);
    // It did not start over: only the UIDs above the watermark were fetched.
    expect(done).toMatchObject({ status: 'completed', counters: { fetched: total - at, stored: total - storedBefore, duplicates: storedBefore - at } });
    await expectExactly(source.id, raws);
    expect(await job(killedJob)).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ errors: [expect.objectContaining({ message: expect.stringMatching(/abandoned/) })] })] });
  }, 120_000);

  it('config.since: only mail the server received since that date, on the first pass and after', async () => {
    const old = mail('From 2024', 'old news');
    const recent = mail('From 2026', 'fresh news');
    const c = await dovecot.client('kim');
    try {
      await c.append('INBOX', old, [], new Date('2024-03-01T10:00:00Z'));
      await c.append('INBOX', recent, [], new Date('2026-01-02T10:00:00Z'));
    } finally {
      await c.logout();
    }
    const source = await connect(dovecot.credentials('kim'), { since: '2025-06-01' });
    expect(await syncViaApi(source.id)).toMatchObject({ status: 'completed', counters: { fetched: 1, stored: 1 } });
    await expectExactly(source.id, [recent]);
  });

  it('a folder that does not exist: the sync fails naming it and what to fix', async () => {
    const source = await connect(dovecot.credentials('heidi'), { folders: ['INBOX', 'No Such Folder'] });
    expect(await syncViaApi(source.id)).toMatchObject({ status: 'failed' });
    const s = (await http().get(`/api/v1/workspaces/${ws}/sources/${source.id}`).set(owner.auth).expect(200)).body;
    expect(s.syncError).toMatch(/the folder "No Such Folder" does not exist on the IMAP server: fix config\.folders/);
  });

  it(`${PULL_SYNC_JOB} syncs IMAP sources with the other pulled kinds, each from its watermark`, async () => {
    // Only this test's source is active.
    for (const id of sources) await http().delete(`/api/v1/workspaces/${ws}/sources/${id}`).set(owner.auth).expect(204);
    const raws = [mail('Scheduled one', 'a'), mail('Scheduled two', 'b')];
    await dovecot.append('judy', 'INBOX', raws);
    const source = await connect(dovecot.credentials('judy'));
    await app.get(ScheduledJobs).runNow(PULL_SYNC_JOB);
    const run = await eventually(async () => {
      const r = await pool.query(`SELECT status, processed_count, meta FROM worker_runs WHERE job_name = $1 ORDER BY started_at DESC LIMIT 1`, [PULL_SYNC_JOB]);
      return r.rows[0] && r.rows[0].status !== 'running' ? r.rows[0] : false;
    }, 60_000, 200);
    expect(run).toMatchObject({ status: 'ok', processed_count: 2, meta: expect.objectContaining({ sources: 1, completed: [source.id], failed: [] }) });
    await expectExactly(source.id, raws);
  });

  it('the password is in no answer, no event and no log line; the credentials are sealed at rest', async () => {
    const all = [...Object.values(PASSWORDS), 'frank-Pw-1d2e3f', 'not-the-password'];
    const answers = JSON.stringify((await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body);
    const events = (await pool.query(`SELECT payload::text AS p, metadata::text AS m FROM events`)).rows.map((r) => `${r.p} ${r.m}`).join('\n');
    const views = (await pool.query(`SELECT row_to_json(s)::text AS t FROM ingestion_sources_view s WHERE kind = 'imap'`)).rows.map((r) => r.t).join('\n');
    const jobs = (await pool.query(`SELECT row_to_json(j)::text AS t FROM ingestion_jobs_view j WHERE format = 'imap'`)).rows.map((r) => r.t).join('\n');
    expect(views).toContain('credentials_ciphertext');
    // The log was captured (the source routes, credentials in their bodies, were logged), so its check below means something.
    expect(logs.some((l) => l.includes('request completed') && l.includes('/sources'))).toBe(true);
    for (const p of all) {
      expect(answers).not.toContain(p);
      expect(events).not.toContain(p);
      expect(views).not.toContain(p);
      expect(jobs).not.toContain(p);
      expect(logs.join('\n')).not.toContain(p);
    }
    // The mailbox user is bound by its hash: the log does not name the mailbox either.
    expect(events).not.toMatch(/"username"/);
  });
});

/** `*.inward.test` resolves to loopback, as a DNS name an attacker controls would. */
const resolveInward: ResolveAll = async (hostname) => (hostname.endsWith('.inward.test') ? [{ address: '127.0.0.1', family: 4 }] : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })));

@Global()
@Module({ providers: [{ provide: OUTBOUND_RESOLVER, useValue: resolveInward }], exports: [OUTBOUND_RESOLVER] })
class InwardResolverModule {}

describe('ingestion: an IMAP host cannot point inward (the guard on, no allowlist) (e2e)', () => {
  let testApp: TestApp | undefined;
  const dovecot = new Dovecot({ users: { ivan: 'ivan-Pw-42f0e1' } });

  beforeAll(async () => {
    await dovecot.start();
    testApp = await createTestApp({ env: { SECRETS_KEYS: KEYS }, extraModules: [InwardResolverModule] });
  }, 120_000);
  afterAll(async () => {
    await testApp?.close();
    await dovecot.stop();
  });

  it('refuses an inward host when saved (every spelling) and at connect time on the resolved address (a name that resolves inward)', async () => {
    const app = testApp!.app;
    const owner = await signUp(app);
    const ws = await createWorkspace(app, owner);
    const http = () => request(app.getHttpServer());
    const base = { port: dovecot.port, username: 'ivan', password: 'ivan-Pw-42f0e1', allowSelfSigned: true };
    for (const host of ['127.0.0.1', 'localhost', '2130706433', '0177.0.0.1', '[::1]', '169.254.169.254', '10.0.0.5']) {
      const res = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'imap', name: `imap ${host}`, credentials: { ...base, host } });
      expect({ host, status: res.status }).toEqual({ host, status: 400 });
      expect(JSON.stringify(res.body)).toMatch(/credentials\.host/);
    }
    expect((await testApp!.pool.query(`SELECT count(*)::int AS n FROM ingestion_sources_view WHERE kind = 'imap' AND workspace_id = $1`, [ws])).rows[0].n).toBe(0);

    // A public-looking name resolving to loopback passes the save check; the connect-time check stops it.
    const saved = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'imap', name: 'rebinding', credentials: { ...base, host: 'imap.inward.test' } }).expect(201);
    expect(saved.body).toMatchObject({ accountVerified: false });
    const started = await http().post(`/api/v1/workspaces/${ws}/sources/${saved.body.id}/sync`).set(owner.auth).expect(202);
    const done = await eventually(async () => {
      const j = (await http().get(`/api/v1/workspaces/${ws}/jobs/${started.body.jobId}`).set(owner.auth).expect(200)).body;
      return j.status === 'running' ? false : j;
    }, 30_000, 100);
    expect(done).toMatchObject({ status: 'failed' });
    const s = (await http().get(`/api/v1/workspaces/${ws}/sources/${saved.body.id}`).set(owner.auth).expect(200)).body;
    expect(s.syncError).toMatch(/the IMAP host is refused: .*loopback/);
    // Dovecot never saw the login.
    expect(dovecot.log()).not.toMatch(/user=<ivan>/);
  });
});
