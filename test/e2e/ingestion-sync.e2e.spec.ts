import { ChildProcess, spawn } from 'node:child_process';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { ChatwootSyncRunner, conversationStream } from '@modules/ingestion/application/pull-sync/chatwoot-sync.runner';
import { GongSyncRunner } from '@modules/ingestion/application/pull-sync/gong-sync.runner';
import { PULL_SYNC_JOB } from '@modules/ingestion/application/pull-sync/pull-sync.schedule';
import { PullSource, SyncRunnerDeps } from '@modules/ingestion/application/pull-sync/sync-runner';
import { ConnectorHttp } from '@modules/ingestion/infrastructure/connectors/connector-http';
import { ConversationWriter } from '@modules/ingestion/infrastructure/conversation-writer';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { eventually } from '@test/support/eventually';
import { FakeChatwoot } from '@test/support/fakes/chatwoot.fake';
import { FakeProvider } from '@test/support/fakes/fake-provider';
import { FakeGong } from '@test/support/fakes/gong.fake';
import { createWorkspace, signUp, SignedUp, signUpVerified } from '@test/support/identity-client';
import { syncThroughApi } from '@test/support/pull-sync-client';
import { createTestApp, TestApp } from '@test/support/test-app';
import { TestDatabase } from '@test/support/test-database';

const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
const T0 = 1767225600; // 2026-01-01T00:00:00Z, epoch seconds
const nowSeconds = () => Math.floor(Date.now() / 1000);
// Several processes sharing one database is the PostgreSQL mode (the embedded one is single-process).
const itPg = process.env.TEST_DATABASE_URL ? it : it.skip;

describe('ingestion: pull sync of Chatwoot and Gong from watermarks (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let db: TestDatabase | undefined;
  let pool: Pool;
  let owner: SignedUp;
  let ws: string;
  const fakes: FakeProvider[] = [];
  const sources: string[] = [];
  const children: ChildProcess[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp({ env: { RUN_JOBS: 'true', SECRETS_KEYS: KEYS, PULL_SYNC_CRON: '0 0 1 1 *', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1' } });
    ({ app, db, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await testApp?.close();
    await Promise.all(fakes.map((f) => f.close()));
  });

  const chatwoot = async (accountId: number) => {
    const f = await new FakeChatwoot(accountId, `cw-token-${accountId}-${uuidv7()}`).start();
    fakes.push(f);
    return f;
  };
  const gong = async (pageSizes = { calls: 3, transcripts: 2 }) => {
    const f = await new FakeGong(`gong-key-${uuidv7()}`, 'gong-secret', pageSizes).start();
    fakes.push(f);
    return f;
  };
  const connect = async (kind: 'chatwoot' | 'gong', credentials: Record<string, unknown>, name = `${kind} ${uuidv7().slice(-6)}`) => {
    const res = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind, name, credentials }).expect(201);
    sources.push(res.body.id);
    return res.body.id as string;
  };
  const connectChatwoot = (f: FakeChatwoot) => connect('chatwoot', { baseUrl: f.url, apiToken: f.token, accountId: f.accountId });
  const connectGong = (f: FakeGong) => connect('gong', { accessKey: f.accessKey, secretKey: f.secretKey, baseUrl: f.url });

  const job = async (jobId: string) => (await http().get(`/api/v1/workspaces/${ws}/jobs/${jobId}`).set(owner.auth).expect(200)).body;
  /** POST .../sync, then the job once it ended. */
  const syncViaApi = (sourceId: string, timeoutMs = 60_000) => syncThroughApi(http, { workspaceId: ws, auth: owner.auth, sourceId }, timeoutMs);
  /** The external ids of the source's stored messages, and how many ingestion events each has in the log. */
  const stored = async (sourceId: string) => {
    const view = await pool.query(`SELECT external_id FROM ingestion_messages_view WHERE source_id = $1`, [sourceId]);
    const log = await pool.query(
      `SELECT payload->>'externalId' AS external_id, count(*)::int AS n FROM events WHERE event_type = 'ingestion.message-ingested' AND payload->>'sourceId' = $1 GROUP BY 1`,
      [sourceId],
    );
    return { ids: view.rows.map((r) => r.external_id as string).sort(), logged: log.rows.length, maxPerMessage: Math.max(0, ...log.rows.map((r) => r.n as number)) };
  };
  const expectExactly = async (sourceId: string, expected: string[]) => {
    const s = await stored(sourceId);
    expect(s.ids).toEqual([...expected].sort());
    // Nothing twice: one ingestion event per message in the log.
    expect(s.logged).toBe(expected.length);
    expect(s.maxPerMessage).toBe(1);
  };
  const source = async (sourceId: string) => (await http().get(`/api/v1/workspaces/${ws}/sources/${sourceId}`).set(owner.auth).expect(200)).body;
  const pullSource = async (sourceId: string): Promise<PullSource> => {
    const r = (await pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [sourceId])).rows[0];
    return { id: r.id, workspaceId: r.workspace_id, kind: r.kind, credentialsCiphertext: r.credentials_ciphertext, config: r.config };
  };
  const deps = (http: SyncRunnerDeps['http'] = {}): SyncRunnerDeps => ({
    pool,
    writer: app.get(MessageWriter),
    aggregates: app.get(IngestionAggregates),
    credentials: app.get(SourceCredentials),
    conversations: app.get(ConversationWriter),
    http: app.get(ConnectorHttp).options(http),
  });
  const meta = () => ({ commandId: uuidv7(), workspaceId: ws, actorId: null, correlationId: uuidv7(), now: new Date() });
  const watermark = async (sourceId: string, stream: string) =>
    (await pool.query(`SELECT cursor_ts, cursor_id, meta FROM ingestion_sync_watermarks WHERE source_id = $1 AND stream = $2`, [sourceId, stream])).rows[0] ?? null;

  /** 30 conversations (two list pages) with 20 contacts (two pages); conversation `big` has 230 messages (three `after` pages), one in ten an activity line. */
  const seedChatwoot = (f: FakeChatwoot, big: number) => {
    for (let k = 1; k <= 20; k++) f.contact(k, T0 + k * 100);
    f.conversation(big, 1, 230, T0, { activityEvery: 10 });
    for (let i = 1; i < 30; i++) f.conversation(big + i, 1 + (i % 20), 1 + (i % 6), T0 + 20_000 + i * 600);
  };

  describe('Chatwoot', () => {
    it('stores every message once, conversations and contacts as events; a rerun stores nothing and reads only what moved', async () => {
      const f = await chatwoot(1);
      seedChatwoot(f, 101);
      const id = await connectChatwoot(f);

      const first = await syncViaApi(id);
      const all = f.conversations.reduce((n, c) => n + c.messages.length, 0);
      expect(first).toMatchObject({ status: 'completed', kind: 'sync', format: 'chatwoot', counters: { fetched: all, stored: f.storable().length, skipped: all - f.storable().length, errors: 0 } });
      expect(all - f.storable().length).toBe(23);
      await expectExactly(id, f.storable());
      expect(await source(id)).toMatchObject({ syncStatus: 'success', syncError: null, lastSyncedAt: expect.any(String) });
      // Conversation 101: three pages, each after the last stored id.
      const big = f.messageRequests(0, 101);
      const ids = f.conversations[0].messages.map((m) => m.id);
      expect(big.map((r) => r.after)).toEqual([0, ids[99], ids[199]]);
      expect(f.listRequests().map((r) => r.page)).toEqual([1, 2, 3]);
      expect((await watermark(id, conversationStream(101))).cursor_id).toBe(String(ids[229]));
      const views = await pool.query(
        `SELECT (SELECT count(*)::int FROM ingestion_conversations_view WHERE source_id = $1) AS conversations, (SELECT count(*)::int FROM ingestion_source_contacts_view WHERE source_id = $1) AS contacts`,
        [id],
      );
      expect(views.rows[0]).toEqual({ conversations: 30, contacts: 20 });
      const msg = await pool.query(`SELECT author_external_id, thread_id, metadata FROM ingestion_messages_view WHERE source_id = $1 AND external_id = $2`, [id, String(ids[0])]);
      expect(msg.rows[0]).toMatchObject({ author_external_id: 'contact:1', thread_id: '101', metadata: expect.objectContaining({ messageType: 'incoming' }) });

      // Nothing new: one list page and one contacts page, no message request, no new message, conversation or contact event.
      const mark = f.requests.length;
      const facts = async () =>
        (await pool.query(`SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND event_type IN ('ingestion.message-ingested', 'ingestion.conversation-updated', 'ingestion.source-contact-seen')`, [ws])).rows[0].n;
      const factsBefore = await facts();
      const second = await syncViaApi(id);
      expect(second).toMatchObject({ status: 'completed', counters: { stored: 0 } });
      expect(f.messageRequests(mark)).toEqual([]);
      expect(f.listRequests(mark).map((r) => r.page)).toEqual([1]);
      expect(await facts()).toBe(factsBefore);

      // New activity in two conversations: only those are read, from their watermarks.
      const lastOf105 = f.conversations.find((c) => c.id === 105)!.messages.at(-1)!.id;
      f.say(f.conversations.find((c) => c.id === 105)!, nowSeconds(), 'customer');
      f.say(f.conversations[0], nowSeconds(), 'agent', { private: true });
      const mark2 = f.requests.length;
      const third = await syncViaApi(id);
      expect(third).toMatchObject({ status: 'completed', counters: { stored: 2 } });
      expect(f.messageRequests(mark2).map((r) => [r.conversationId, r.after]).sort()).toEqual([[101, ids[229]], [105, lastOf105]].sort());
      await expectExactly(id, f.storable());
    });

    it('429 (Retry-After) and 5xx mid-way: retried with backoff, nothing lost, nothing twice', async () => {
      const f = await chatwoot(2);
      seedChatwoot(f, 201);
      const id = await connectChatwoot(f);
      const big = f.conversations[0].messages.map((m) => m.id);
      f.fail({ when: (r) => r.path.endsWith('/conversations/201/messages') && r.query.after === String(big[99]), status: 429, retryAfter: '1' })
        .fail({ when: (r) => r.path.endsWith('/conversations') && r.query.page === '2', status: 500, times: 2 })
        .fail({ when: (r) => r.path.endsWith('/contacts') && r.query.page === '1', status: 503 });

      const done = await syncViaApi(id);
      expect(done).toMatchObject({ status: 'completed', counters: { stored: f.storable().length, errors: 0 } });
      await expectExactly(id, f.storable());
      const limited = f.messageRequests(0, 201).filter((r) => r.after === big[99]);
      expect(limited.map((r) => r.status)).toEqual([429, 200]);
      const [a, b] = f.requests.filter((r) => r.path.endsWith('/conversations/201/messages') && r.query.after === String(big[99]));
      expect(b.at - a.at).toBeGreaterThanOrEqual(950);
      expect(f.listRequests().map((r) => `${r.page}:${r.status}`)).toEqual(['1:200', '2:500', '2:500', '2:200', '3:200']);
    });

    it('a 5xx storm fails the run (job failed, source in error); the next run resumes at the watermark', async () => {
      const f = await chatwoot(3);
      seedChatwoot(f, 301);
      const id = await connectChatwoot(f);
      const big = f.conversations[0].messages.map((m) => m.id);
      f.fail({ when: (r) => r.path.endsWith('/conversations/301/messages') && r.query.after === String(big[99]), status: 502, times: 100 });
      const runner = new ChatwootSyncRunner(deps({ retry: { maxAttempts: 3, baseDelayMs: 10 } }));
      const failed = await runner.run(await pullSource(id), { meta: meta() });
      // Conversation 301 is the least recently active, so the last walked: its first page (90 messages and 10 activity lines) is in.
      expect(failed).toMatchObject({ status: 'failed', stored: f.storable().length - 207 + 90, error: expect.stringMatching(/failed after 3 attempts: 502/) });
      expect(await job(failed.jobId)).toMatchObject({ status: 'failed' });
      expect(await source(id)).toMatchObject({ syncStatus: 'error', syncError: expect.stringMatching(/502/) });
      expect((await watermark(id, conversationStream(301))).cursor_id).toBe(String(big[99]));

      f.clearFaults();
      const mark = f.requests.length;
      const resumed = await runner.run(await pullSource(id), { meta: meta() });
      expect(resumed).toMatchObject({ status: 'completed' });
      expect(f.messageRequests(mark, 301)[0].after).toBe(big[99]);
      await expectExactly(id, f.storable());
      expect(await source(id)).toMatchObject({ syncStatus: 'success', syncError: null });
    });

    itPg('resumes from its watermark after kill -9 of the syncing process', async () => {
      const f = await chatwoot(4);
      seedChatwoot(f, 401);
      const id = await connectChatwoot(f);
      const big = f.conversations[0].messages.map((m) => m.id);
      // The second page of conversation 401 never answers: the child is killed while waiting for it.
      const held = f.hold((r) => r.path.endsWith('/conversations/401/messages') && r.query.after === String(big[99]));
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pull-sync-process.ts', db!.url, id, KEYS], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      const out: string[] = [];
      child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
      child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
      await Promise.race([held.reached, new Promise((_r, reject) => setTimeout(() => reject(new Error(`the child did not get there: ${out.join('')}`)), 60_000))]);
      expect((await watermark(id, conversationStream(401))).cursor_id).toBe(String(big[99]));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      held.release();
      const killedJob = /JOB (\S+)/.exec(out.join(''))![1];
      expect(await job(killedJob)).toMatchObject({ status: 'running' });
      // Everything but the rest of conversation 401 (walked last) is in.
      expect((await stored(id)).ids).toHaveLength(f.storable().length - 207 + 90);

      const mark = f.requests.length;
      const done = await syncViaApi(id);
      expect(done).toMatchObject({ status: 'completed', counters: { stored: 207 - 90 } });
      // It did not start over: conversation 401 continues after the last stored id.
      expect(f.messageRequests(mark, 401).map((r) => r.after)).toEqual([big[99], big[199]]);
      await expectExactly(id, f.storable());
      expect(await job(killedJob)).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ errors: [expect.objectContaining({ message: expect.stringMatching(/abandoned/) })] })] });
    }, 120_000);
  });

  describe('Gong', () => {
    const seedGong = (f: FakeGong, prefix: string) => {
      const start = Date.now() - 3 * 86_400_000;
      for (let i = 0; i < 10; i++) f.call(`${prefix}${i}`, new Date(start + i * 3_600_000), 5);
    };

    it('stores every monologue once through cursor pages, within 3 calls a second, through a 429 and a 500', async () => {
      const f = await gong();
      seedGong(f, '70');
      const id = await connectGong(f);
      f.fail({ when: (r) => r.path === '/v2/calls/transcript' && f.requestsTo('/v2/calls/transcript').length === 2, status: 429, retryAfter: '1' })
        .fail({ when: (r) => r.path === '/v2/calls/extensive' && !!r.body?.cursor, status: 500 });
      const done = await syncViaApi(id);
      expect(done).toMatchObject({ status: 'completed', format: 'gong', counters: { stored: 50, errors: 0 } });
      await expectExactly(id, f.storable());
      expect(f.rateViolations).toBe(0);
      const pages = f.requestsTo('/v2/calls/extensive').filter((r) => r.status === 200);
      expect(pages).toHaveLength(4);
      expect(pages[0].body).toMatchObject({ filter: { toDateTime: expect.any(String) }, contentSelector: { exposedFields: { parties: true } } });
      const m = await pool.query(`SELECT author_name, author_email, thread_id, title, metadata FROM ingestion_messages_view WHERE source_id = $1 AND external_id = '700:0'`, [id]);
      expect(m.rows[0]).toMatchObject({ author_name: 'Rita Rep', author_email: 'rita@seller.example', thread_id: 'gong:700', title: 'Discovery call 700', metadata: expect.objectContaining({ kind: 'transcript-monologue', topic: 'Introduction' }) });

      // A call Gong shows late (started before the last window ended) is found by the lookback; known calls cost no transcript request.
      f.call('7late', new Date(Date.now() - 2 * 3_600_000), 2);
      const mark = f.requests.length;
      const again = await syncViaApi(id);
      expect(again).toMatchObject({ status: 'completed', counters: { stored: 2 } });
      expect(f.requestsTo('/v2/calls/transcript', mark).map((r) => r.body.filter.callIds)).toEqual([['7late']]);
      await expectExactly(id, f.storable());
      // The limiter is per Gong account, not per run: back-to-back runs stayed under the limit too.
      expect(f.rateViolations).toBe(0);
    });

    it('resumes with its saved cursor after the run is stopped mid-way (AbortSignal)', async () => {
      const f = await gong();
      seedGong(f, '80');
      const id = await connectGong(f);
      const controller = new AbortController();
      // Stop the run when it asks for the third page of calls (two pages are stored by then).
      const held = f.hold((r) => r.path === '/v2/calls/extensive' && f.requestsTo('/v2/calls/extensive').length === 3);
      const runner = new GongSyncRunner(deps());
      const running = runner.run(await pullSource(id), { meta: meta(), signal: controller.signal });
      const third = await held.reached;
      controller.abort(new Error('stopped by the test'));
      held.release();
      const stopped = await running;
      expect(stopped).toMatchObject({ status: 'failed', stored: 30, error: expect.stringMatching(/interrupted: stopped by the test/) });
      const wm = await watermark(id, 'calls');
      expect(wm.meta.window.cursor).toBe(third.body.cursor);

      const mark = f.requests.length;
      const resumed = await runner.run(await pullSource(id), { meta: meta() });
      expect(resumed).toMatchObject({ status: 'completed', stored: 20 });
      // It did not start over: the first request carries the saved cursor, and no call of the first pages is fetched again.
      const calls = f.requestsTo('/v2/calls/extensive', mark);
      expect(calls[0].body.cursor).toBe(third.body.cursor);
      const refetched = new Set(f.requestsTo('/v2/calls/transcript', mark).flatMap((r) => r.body.filter.callIds));
      expect([...refetched].sort()).toEqual(['806', '807', '808', '809']);
      await expectExactly(id, f.storable());
      expect((await watermark(id, 'calls')).meta).toEqual({});
    });

    itPg('resumes from its watermark after kill -9 of the syncing process', async () => {
      const f = await gong();
      seedGong(f, '90');
      const id = await connectGong(f);
      const held = f.hold((r) => r.path === '/v2/calls/extensive' && f.requestsTo('/v2/calls/extensive').length === 3);
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pull-sync-process.ts', db!.url, id, KEYS], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      const out: string[] = [];
      child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
      child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
      const third = await Promise.race([held.reached, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`the child did not get there: ${out.join('')}`)), 60_000))]);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      held.release();
      expect((await stored(id)).ids).toHaveLength(30);

      const mark = f.requests.length;
      const done = await syncViaApi(id);
      expect(done).toMatchObject({ status: 'completed', counters: { stored: 20 } });
      expect(f.requestsTo('/v2/calls/extensive', mark)[0].body.cursor).toBe(third.body.cursor);
      await expectExactly(id, f.storable());
    }, 120_000);
  });

  describe('POST /sources/:sourceId/sync', () => {
    const problem = (res: request.Response, status: number, code: string) => expect({ status: res.status, code: res.body.code }).toEqual({ status, code });

    it('answers 202 { jobId } and runs in the background; 409 while a sync of the source runs', async () => {
      const f = await chatwoot(5);
      f.contact(1, T0);
      f.conversation(501, 1, 3, T0);
      const id = await connectChatwoot(f);
      const held = f.hold((r) => r.path.endsWith('/conversations'));
      const res = await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(owner.auth).expect(202);
      await held.reached;
      expect(await job(res.body.jobId)).toMatchObject({ status: 'running', kind: 'sync' });
      expect(await source(id)).toMatchObject({ syncStatus: 'syncing' });
      problem(await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(owner.auth), 409, 'INGESTION.SYNC_ALREADY_RUNNING');
      held.release();
      await eventually(async () => (await job(res.body.jobId)).status === 'completed', 30_000, 100);
      await expectExactly(id, f.storable());
      // The lease goes right after the job ends.
      await eventually(async () => (await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(owner.auth)).status === 202, 5_000, 50);
      await eventually(async () => (await source(id)).syncStatus === 'success', 30_000, 100);
    });

    it('is for admins of the source\'s workspace: 404 for another workspace\'s source, 403 below admin, 422 for kinds that are not pulled', async () => {
      const f = await chatwoot(6);
      const id = await connectChatwoot(f);
      const other = await signUp(app);
      const otherWs = await createWorkspace(app, other);
      problem(await http().post(`/api/v1/workspaces/${otherWs}/sources/${id}/sync`).set(other.auth), 404, 'INGESTION.SOURCE_NOT_FOUND');
      problem(await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(other.auth), 404, 'NOT_FOUND');
      const member = await signUpVerified(app);
      await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: member.email, role: 'member' }).expect(201);
      problem(await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(member.auth), 403, 'FORBIDDEN');
      const slack = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'slack', name: 'Slack', credentials: { signingSecret: 'x'.repeat(32) } }).expect(201);
      problem(await http().post(`/api/v1/workspaces/${ws}/sources/${slack.body.id}/sync`).set(owner.auth), 422, 'INGESTION.SYNC_NOT_SUPPORTED');
      await http().delete(`/api/v1/workspaces/${ws}/sources/${id}`).set(owner.auth).expect(204);
      problem(await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(owner.auth), 422, 'INGESTION.SOURCE_INACTIVE');
      // Only the account proof made when the source was connected reached Chatwoot.
      expect(f.dataRequests()).toEqual([]);
    });
  });

  describe('the scheduled job', () => {
    it(`${PULL_SYNC_JOB} syncs every active Chatwoot and Gong source and records a worker run with the messages stored`, async () => {
      // Only this test's sources are active.
      for (const s of sources) await http().delete(`/api/v1/workspaces/${ws}/sources/${s}`).set(owner.auth);
      const g = await gong();
      for (let i = 0; i < 3; i++) g.call(`99${i}`, new Date(Date.now() - 86_400_000 + i * 60_000), 4);
      const c = await chatwoot(9);
      c.contact(1, T0);
      c.conversation(901, 1, 5, T0);
      const gongId = await connectGong(g);
      const chatwootId = await connectChatwoot(c);

      const scheduled = app.get(ScheduledJobs);
      expect((await pool.query(`SELECT schedule FROM scheduled_jobs WHERE name = $1`, [PULL_SYNC_JOB])).rows).toEqual([{ schedule: '0 0 1 1 *' }]);
      await scheduled.runNow(PULL_SYNC_JOB);
      const run = await eventually(async () => {
        const r = await pool.query(`SELECT status, processed_count, meta, error FROM worker_runs WHERE job_name = $1 ORDER BY started_at DESC LIMIT 1`, [PULL_SYNC_JOB]);
        return r.rows[0] && r.rows[0].status !== 'running' ? r.rows[0] : false;
      }, 60_000, 200);
      expect(run).toMatchObject({ status: 'ok', processed_count: 12 + 5, error: null, meta: expect.objectContaining({ trigger: 'manual', sources: 2, failed: [], busy: [] }) });
      expect(run.meta.completed.sort()).toEqual([gongId, chatwootId].sort());
      await expectExactly(gongId, g.storable());
      await expectExactly(chatwootId, c.storable());
    });
  });
});
