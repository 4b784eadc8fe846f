import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { conversationStream } from '@modules/ingestion/application/pull-sync/chatwoot-sync.runner';
import { PULL_SYNC_JOB } from '@modules/ingestion/application/pull-sync/pull-sync.schedule';
import { PullSyncService } from '@modules/ingestion/application/pull-sync/pull-sync.service';
import { slackChannelStream } from '@modules/ingestion/application/pull-sync/slack-sync.runner';
import { eventually } from '@test/support/eventually';
import { FakeChatwoot } from '@test/support/fakes/chatwoot.fake';
import { FakeProvider } from '@test/support/fakes/fake-provider';
import { FakeGong } from '@test/support/fakes/gong.fake';
import { FakeSlack } from '@test/support/fakes/slack.fake';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { SyncJob, syncThroughApi } from '@test/support/pull-sync-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const KEYS = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
const T0 = 1767225600; // 2026-01-01T00:00:00Z, epoch seconds
const rand = () => randomBytes(4).toString('hex').toUpperCase();
const callId = () => String(1e9 + Math.floor(Math.random() * 1e9));

/**
 * Issue 18 item 7: each pulled source at its own interval, a per-provider concurrency limit,
 * failures that say what to do (never the provider's body), and a sync stopped mid-way that
 * the next run resumes from its watermark, storing nothing twice.
 */
describe('ingestion: pull sync scheduling, concurrency, failures and resumption (e2e)', () => {
  const slack = new FakeSlack();
  const logLines: string[] = [];
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let owner: SignedUp;
  let ws: string;
  const fakes: FakeProvider[] = [];
  let mine: string[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    // What the app's Nest loggers are asked to write (the sync's warnings among them), whatever transport they end in.
    for (const level of ['log', 'warn', 'error', 'debug', 'verbose'] as const) {
      const original = Logger.prototype[level];
      jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, ...args: unknown[]) {
        logLines.push(JSON.stringify(args, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v)));
        return (original as (...a: unknown[]) => void).apply(this, args);
      });
    }
    await slack.start();
    testApp = await createTestApp({
      env: {
        RUN_JOBS: 'true',
        SECRETS_KEYS: KEYS,
        // The tests tick by hand (or run the job now): no cron tick lands in the middle of one.
        PULL_SYNC_CRON: '0 0 1 1 *',
        PULL_SYNC_CONCURRENCY: 'chatwoot=1,default=2',
        PULL_SYNC_DEFAULT_INTERVAL_MINUTES: '15',
        CONNECTOR_ALLOWED_HOSTS: '127.0.0.1',
        SLACK_API_BASE_URL: slack.apiBase,
        LOG_LEVEL: 'debug',
      },
      logLines,
    });
    ({ app, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  }, 120_000);
  afterAll(async () => {
    await testApp?.close();
    await Promise.all([...fakes, slack].map((f) => f.close()));
  });
  // Each test's sources are the only active ones: the scheduler's due set is the test's own.
  afterEach(async () => {
    for (const id of mine) await http().delete(`/api/v1/workspaces/${ws}/sources/${id}`).set(owner.auth);
    mine = [];
  });

  const chatwoot = async (accountId: number) => {
    const f = await new FakeChatwoot(accountId, `cw-token-${accountId}-${uuidv7()}`).start();
    fakes.push(f);
    return f;
  };
  const gong = async () => {
    const f = await new FakeGong(`gong-key-${uuidv7()}`, 'gong-secret', { calls: 3, transcripts: 2 }).start();
    fakes.push(f);
    return f;
  };
  const connect = async (kind: string, credentials: Record<string, unknown>, config: Record<string, unknown> = {}) => {
    const res = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind, name: `${kind} ${uuidv7().slice(-6)}`, credentials, config }).expect(201);
    mine.push(res.body.id);
    return res.body.id as string;
  };
  const connectChatwoot = (f: FakeChatwoot, config: Record<string, unknown> = {}) => connect('chatwoot', { baseUrl: f.url, apiToken: f.token, accountId: f.accountId }, config);
  const connectGong = (f: FakeGong, config: Record<string, unknown> = {}) => connect('gong', { accessKey: f.accessKey, secretKey: f.secretKey, baseUrl: f.url }, config);
  const source = async (id: string) => (await http().get(`/api/v1/workspaces/${ws}/sources/${id}`).set(owner.auth).expect(200)).body;
  const job = async (jobId: string) => (await http().get(`/api/v1/workspaces/${ws}/jobs/${jobId}`).set(owner.auth).expect(200)).body as SyncJob;
  const syncViaApi = (sourceId: string) => syncThroughApi(http, { workspaceId: ws, auth: owner.auth, sourceId });
  /** One scheduler tick, as the cron would run it. */
  const tick = () => app.get(PullSyncService).syncAll(uuidv7());
  /** The clock moved on: the source's last attempt was `minutes` ago. */
  const attemptedAgo = (id: string, minutes: number) =>
    pool.query(`UPDATE ingestion_sources_view SET sync_attempted_at = now() - make_interval(mins => $2) WHERE id = $1`, [id, minutes]);
  const attemptedAt = async (id: string) => new Date((await pool.query(`SELECT sync_attempted_at FROM ingestion_sources_view WHERE id = $1`, [id])).rows[0].sync_attempted_at).getTime();
  const ingested = async (sourceId: string) =>
    (await pool.query(`SELECT payload->>'externalId' AS id, count(*)::int AS n FROM events WHERE event_type = 'ingestion.message-ingested' AND payload->>'sourceId' = $1 GROUP BY 1`, [sourceId]))
      .rows as { id: string; n: number }[];
  const expectExactly = async (sourceId: string, expected: string[]) => {
    const events = await ingested(sourceId);
    expect(events.map((e) => e.id).sort()).toEqual([...expected].sort());
    // Nothing twice: one ingestion event per message in the log.
    expect(Math.max(0, ...events.map((e) => e.n))).toBe(1);
  };
  const watermark = async (sourceId: string, stream: string) =>
    (await pool.query(`SELECT cursor_id, meta FROM ingestion_sync_watermarks WHERE source_id = $1 AND stream = $2`, [sourceId, stream])).rows[0] ?? null;
  const lastError = (j: SyncJob) => j.errors.at(-1) as { index: number; code?: string; errors: { message: string }[] };

  describe('each source at its own interval', () => {
    it('syncIntervalMinutes is checked when set (1 to 1440 whole minutes)', async () => {
      const f = await gong();
      for (const bad of [0, 1441, 2.5, '15']) {
        const res = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'gong', name: 'bad', credentials: { accessKey: f.accessKey, secretKey: f.secretKey, baseUrl: f.url }, config: { syncIntervalMinutes: bad } });
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'INGESTION.SOURCE_CONFIG_INVALID' });
      }
      const id = await connectGong(f, { syncIntervalMinutes: 1440 });
      const res = await http().patch(`/api/v1/workspaces/${ws}/sources/${id}`).set(owner.auth).send({ config: { syncIntervalMinutes: -1 } });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'INGESTION.SOURCE_CONFIG_INVALID' });
      expect((await source(id)).config).toEqual({ syncIntervalMinutes: 1440 });
    });

    it('a tick starts only the sources that are due (last attempt + their interval), never-synced first; nextSyncAt says when', async () => {
      const fast = await gong();
      const slow = await gong();
      for (const f of [fast, slow]) f.call(callId(), new Date(Date.now() - 3_600_000), 2);
      const fastId = await connectGong(fast, { syncIntervalMinutes: 5 });
      const slowId = await connectGong(slow);
      // Never synced: due at once, nextSyncAt is when it became due (its creation).
      expect((await source(fastId)).nextSyncAt).toEqual((await source(fastId)).createdAt);

      const first = await tick();
      expect(first.meta).toMatchObject({ sources: 2, failed: [], busy: [], waiting: [], running: [] });
      expect(first.meta.completed.sort()).toEqual([fastId, slowId].sort());
      expect(first.processed).toBe(4);
      await expectExactly(fastId, fast.storable());
      for (const [id, minutes] of [[fastId, 5], [slowId, 15]] as const) {
        const s = await source(id);
        expect(s).toMatchObject({ syncStatus: 'success', syncErrorCode: null });
        expect(Date.parse(s.nextSyncAt)).toBe((await attemptedAt(id)) + minutes * 60_000);
      }

      // At once again: nothing is due, nothing is asked of the providers.
      const marks = [fast.requests.length, slow.requests.length];
      expect((await tick()).meta).toMatchObject({ sources: 0, completed: [] });
      expect([fast.requests.length, slow.requests.length]).toEqual(marks);

      // Six minutes on: the 5-minute source is due, the 15-minute one (the default) is not.
      await attemptedAgo(fastId, 6);
      await attemptedAgo(slowId, 6);
      const third = await tick();
      expect(third.meta).toMatchObject({ sources: 1, completed: [fastId] });
      expect(fast.requests.length).toBeGreaterThan(marks[0]);
      expect(slow.requests.length).toBe(marks[1]);

      // Its interval set to 5 minutes, the other is due too (its last attempt was 6 minutes ago).
      await http().patch(`/api/v1/workspaces/${ws}/sources/${slowId}`).set(owner.auth).send({ config: { syncIntervalMinutes: 5 } }).expect(200);
      expect(Date.parse((await source(slowId)).nextSyncAt)).toBeLessThan(Date.now());
      expect((await tick()).meta).toMatchObject({ sources: 1, completed: [slowId] });
    });

    it(`${PULL_SYNC_JOB} runs the same selection and records it in worker_runs`, async () => {
      const f = await gong();
      f.call(callId(), new Date(Date.now() - 3_600_000), 3);
      const id = await connectGong(f);
      await app.get(ScheduledJobs).runNow(PULL_SYNC_JOB);
      const run = await eventually(async () => {
        const r = await pool.query(`SELECT status, processed_count, meta FROM worker_runs WHERE job_name = $1 ORDER BY started_at DESC LIMIT 1`, [PULL_SYNC_JOB]);
        return r.rows[0] && r.rows[0].status !== 'running' ? r.rows[0] : false;
      }, 60_000, 200);
      expect(run).toMatchObject({ status: 'ok', processed_count: 3, meta: expect.objectContaining({ trigger: 'manual', sources: 1, completed: [id], waiting: [], running: [] }) });
    });
  });

  describe('per-provider concurrency (PULL_SYNC_CONCURRENCY chatwoot=1)', () => {
    const twoSlowChatwoots = async () => {
      const gauge = { now: 0, max: 0 };
      const [a, b] = [await chatwoot(11), await chatwoot(12)];
      for (const f of [a, b]) {
        f.inFlight = gauge;
        f.latencyMs = 40;
        f.contact(1, T0);
        for (let i = 0; i < 4; i++) f.conversation(f.accountId * 100 + i, 1, 3, T0 + i * 60);
      }
      const aId = await connectChatwoot(a);
      const bId = await connectChatwoot(b);
      // The account proofs made on connect are not syncs.
      gauge.max = 0;
      return { a, b, aId, bId, gauge };
    };

    it('two due sources of the kind never overlap: one runs, the other waits for a later tick', async () => {
      const { a, b, aId, bId, gauge } = await twoSlowChatwoots();
      const first = await tick();
      // Both due (never synced); the older starts, the other finds no free slot.
      expect(first.meta).toMatchObject({ sources: 2, completed: [aId], waiting: [bId], failed: [] });
      expect(b.dataRequests()).toEqual([]);
      const second = await tick();
      expect(second.meta).toMatchObject({ sources: 1, completed: [bId], waiting: [] });
      expect(gauge.max).toBe(1);
      await expectExactly(aId, a.storable());
      await expectExactly(bId, b.storable());
    });

    it('an on-demand sync beyond the limit answers 202 with its job, and waits for the slot (queued, not refused)', async () => {
      const { a, b, aId, bId, gauge } = await twoSlowChatwoots();
      const held = a.hold((r) => r.path.endsWith('/conversations'));
      const ra = await http().post(`/api/v1/workspaces/${ws}/sources/${aId}/sync`).set(owner.auth).expect(202);
      await held.reached;
      if (process.env.TEST_DATABASE_URL) {
        // The kind's one slot is a lease in the database, so another process sees it taken too (the embedded backend is one process).
        const slots = await pool.query(`SELECT name FROM coordination_leases WHERE name LIKE 'ingestion.pull-sync-slot:chatwoot:%' AND expires_at > now()`);
        expect(slots.rows.map((r) => r.name)).toEqual(['ingestion.pull-sync-slot:chatwoot:0']);
      }
      const rb = await http().post(`/api/v1/workspaces/${ws}/sources/${bId}/sync`).set(owner.auth).expect(202);
      expect(rb.body).toEqual({ jobId: expect.any(String) });
      expect(await job(rb.body.jobId)).toMatchObject({ status: 'running', counters: { batches: 0 } });
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Queued: nothing asked of B's provider while A holds the slot.
      expect(b.dataRequests()).toEqual([]);
      held.release();
      await eventually(async () => (await job(ra.body.jobId)).status === 'completed', 30_000, 100);
      await eventually(async () => (await job(rb.body.jobId)).status === 'completed', 30_000, 100);
      expect(gauge.max).toBe(1);
      await expectExactly(bId, b.storable());
    });
  });

  describe('failures say what to do, never what the provider said', () => {
    it('401, 403, 429, 503 and 404 become reconnect, permissions, quota, unreachable and invalid_config on the job and the source', async () => {
      const MARKER = `PROVIDER-SAYS-${uuidv7()}`;
      const f = await chatwoot(21);
      f.conversation(2101, 1, 2, T0);
      const id = await connectChatwoot(f);
      const seen: string[] = [];
      const cases = [
        { status: 401, code: 'reconnect', says: /^Reconnect the Chatwoot account: .*What happened: Chatwoot answered 401 Unauthorized/ },
        { status: 403, code: 'permissions', says: /^Grant the missing permissions: .*What happened: Chatwoot answered 403 Forbidden/ },
        { status: 429, retryAfter: '3600', code: 'quota', says: /^Wait for the Chatwoot quota: .*asks to wait 3600 s/ },
        { status: 503, retryAfter: '3600', code: 'unreachable', says: /^Try again later: Chatwoot could not be reached or kept failing/ },
        { status: 404, code: 'invalid_config', says: /^Fix the source's settings: / },
      ];
      for (const c of cases) {
        f.clearFaults();
        f.fail({ when: (r) => r.path.endsWith('/conversations'), status: c.status, retryAfter: c.retryAfter, times: 100, body: { error: MARKER, message: `${MARKER} details` } });
        const done = await syncViaApi(id);
        expect(done.status).toBe('failed');
        expect(lastError(done)).toMatchObject({ index: -1, code: c.code, errors: [{ message: expect.stringMatching(c.says) }] });
        const s = await source(id);
        expect(s).toMatchObject({ syncStatus: 'error', syncErrorCode: c.code, syncError: lastError(done).errors[0].message });
        seen.push(JSON.stringify(done), JSON.stringify(s));
      }
      // The provider's body was sent every time (so its absence below means something), and is nowhere: answers, events, read models, logs.
      expect(f.requests.filter((r) => r.status !== null && r.status >= 400).length).toBeGreaterThanOrEqual(cases.length);
      expect(logLines.some((l) => l.includes('pull sync failed') && l.includes('"code":"quota"'))).toBe(true);
      expect(logLines.some((l) => l.includes('request completed') && l.includes('/sync'))).toBe(true);
      const events = await pool.query(`SELECT count(*)::int AS n FROM events WHERE payload::text LIKE $1`, [`%${MARKER}%`]);
      const views = await pool.query(
        `SELECT (SELECT count(*) FROM ingestion_jobs_view WHERE error_log::text LIKE $1) + (SELECT count(*) FROM ingestion_sources_view WHERE sync_error LIKE $1) AS n`,
        [`%${MARKER}%`],
      );
      expect({ events: events.rows[0].n, views: Number(views.rows[0].n) }).toEqual({ events: 0, views: 0 });
      expect(seen.join('\n')).not.toContain(MARKER);
      expect(logLines.join('\n')).not.toContain(MARKER);

      // Fixed, the next sync succeeds and the error (and its code) go.
      f.clearFaults();
      expect(await syncViaApi(id)).toMatchObject({ status: 'completed' });
      expect(await source(id)).toMatchObject({ syncStatus: 'success', syncError: null, syncErrorCode: null });
    });
  });

  it('credentials that no longer open fail before any job: the source says reconnect, and waits its interval instead of every tick', async () => {
    const f = await gong();
    const id = await connectGong(f);
    const other = await connectGong(await gong());
    // As if the key that sealed them left SECRETS_KEYS: another source's ciphertext does not open for this one.
    await pool.query(`UPDATE ingestion_sources_view SET credentials_ciphertext = (SELECT credentials_ciphertext FROM ingestion_sources_view WHERE id = $2) WHERE id = $1`, [id, other]);
    await http().delete(`/api/v1/workspaces/${ws}/sources/${other}`).set(owner.auth).expect(204);
    const run = await tick();
    expect(run.meta).toMatchObject({ sources: 1, completed: [], failed: [{ sourceId: id, code: 'reconnect', error: expect.stringMatching(/^Reconnect the Gong account: .*can no longer be opened/) }] });
    expect(await source(id)).toMatchObject({ syncStatus: 'error', syncErrorCode: 'reconnect', nextSyncAt: expect.any(String) });
    expect(Date.parse((await source(id)).nextSyncAt)).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect((await tick()).meta).toMatchObject({ sources: 0 });
  });

  describe('a killed sync resumes from its watermark', () => {
    it('Chatwoot: stopped mid-conversation (the app shuts down), the next scheduled run continues after the last stored message; nothing twice', async () => {
      const f = await chatwoot(31);
      for (let k = 1; k <= 20; k++) f.contact(k, T0 + k * 100);
      f.conversation(3101, 1, 230, T0, { activityEvery: 10 });
      for (let i = 1; i < 30; i++) f.conversation(3101 + i, 1 + (i % 20), 1 + (i % 6), T0 + 20_000 + i * 600);
      const id = await connectChatwoot(f);
      const big = f.conversations[0].messages.map((m) => m.id);
      // Conversation 3101 is the least recently active, so walked last: its second message page is held, and the app stops meanwhile.
      const held = f.hold((r) => r.path.endsWith('/conversations/3101/messages') && r.query.after === String(big[99]));
      const started = await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(owner.auth).expect(202);
      await held.reached;
      const service = app.get(PullSyncService);
      const stopping = service.beforeApplicationShutdown();
      held.release();
      await stopping;
      const killed = await job(started.body.jobId);
      expect(killed.status).toBe('failed');
      expect(lastError(killed)).toMatchObject({ code: 'interrupted', errors: [{ message: expect.stringMatching(/^interrupted: the application is shutting down; the next run resumes from the watermark/) }] });
      expect(await source(id)).toMatchObject({ syncStatus: 'error', syncErrorCode: 'interrupted' });
      expect((await watermark(id, conversationStream(3101))).cursor_id).toBe(String(big[99]));
      const storedBefore = (await ingested(id)).length;
      expect(storedBefore).toBe(f.storable().length - 207 + 90);

      // The restarted scheduler finds it due (its interval passed) and resumes.
      await attemptedAgo(id, 16);
      const mark = f.requests.length;
      const run = await tick();
      expect(run.meta).toMatchObject({ completed: [id] });
      expect(run.processed).toBe(207 - 90);
      // Of every conversation's messages, only 3101's are asked again, from after the last stored one: no page before the watermark.
      expect(f.messageRequests(mark).map((r) => `${r.conversationId}:${r.after}`)).toEqual([`3101:${big[99]}`, `3101:${big[199]}`]);
      await expectExactly(id, f.storable());
    });

    it('Slack history: stopped mid-channel, the next run reads the finished channel from its watermark and the other at its saved page; nothing twice', async () => {
      slack.pageSize = 1;
      const teamId = `T${rand()}`;
      const botToken = `xoxb-${randomBytes(18).toString('hex')}`;
      slack.bot(botToken, teamId);
      slack.user(teamId, 'U1ANA', 'Ana Lima').user(teamId, 'U2BEN', 'Ben Okafor');
      const [c1, c2] = [`C1${rand()}`, `C2${rand()}`];
      slack.channel(teamId, c1, 'general').channel(teamId, c2, 'product');
      for (let i = 0; i < 3; i++) slack.post(teamId, c1, 'U1ANA', `general ${i}`);
      for (let i = 0; i < 4; i++) slack.post(teamId, c2, 'U2BEN', `product ${i}`);
      const id = await connect('slack', { signingSecret: randomBytes(16).toString('hex'), botToken }, { teamId });
      // #general (read first) completes; #product's third history page is held, and the app stops meanwhile.
      let c2Pages = 0;
      const held = slack.hold((r) => r.path === '/api/conversations.history' && String(r.body).includes(`channel=${c2}`) && ++c2Pages === 3);
      const started = await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(owner.auth).expect(202);
      await held.reached;
      const stopping = app.get(PullSyncService).beforeApplicationShutdown();
      held.release();
      await stopping;
      // The Slack client's own retries of the aborted request may outlast the shutdown wait: the job ends as interrupted once they stop.
      const j = await eventually(async () => ((await job(started.body.jobId)).status === 'running' ? false : job(started.body.jobId)), 60_000, 200);
      expect(lastError(j)).toMatchObject({ code: 'interrupted' });
      const c2Mark = await watermark(id, slackChannelStream(c2));
      expect(c2Mark).toMatchObject({ cursor_id: null, meta: { walk: { cursor: expect.any(String) } } });
      const storedBefore = (await ingested(id)).length;
      expect(storedBefore).toBe(3 + 2);

      await attemptedAgo(id, 16);
      const from = slack.requests.length;
      const run = await tick();
      expect(run.meta).toMatchObject({ completed: [id] });
      expect(run.processed).toBe(2);
      const history = slack.calls('conversations.history', from);
      // #general: from its watermark (oldest), not from the start; #product: at the page it was stopped on, never its first pages again.
      expect(history.find((r) => r.args.channel === c1)!.args.oldest).toBeDefined();
      const product = history.filter((r) => r.args.channel === c2);
      expect(product[0].args.cursor).toBe(c2Mark.meta.walk.cursor);
      expect(product.every((r) => r.args.cursor)).toBe(true);
      const events = await ingested(id);
      expect(events).toHaveLength(7);
      expect(Math.max(...events.map((e) => e.n))).toBe(1);
    });
  });
});
