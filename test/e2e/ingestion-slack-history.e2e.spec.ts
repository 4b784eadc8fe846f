import { ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { OutboundGuard } from '@libs/common/net/outbound-guard';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { PULL_SYNC_JOB } from '@modules/ingestion/application/pull-sync/pull-sync.schedule';
import { slackChannelStream, SlackSyncRunner } from '@modules/ingestion/application/pull-sync/slack-sync.runner';
import { PullSource, SyncRunnerDeps } from '@modules/ingestion/application/pull-sync/sync-runner';
import { ConnectorHttp } from '@modules/ingestion/infrastructure/connectors/connector-http';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { eventually } from '@test/support/eventually';
import { FakeSlack } from '@test/support/fakes/slack.fake';
import { SyncJob, syncThroughApi } from '@test/support/pull-sync-client';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const KEYS = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
const hmacHex = (secret: string, ...parts: string[]) => parts.reduce((h, p) => h.update(p), createHmac('sha256', secret)).digest('hex');
const rand = () => randomBytes(4).toString('hex').toUpperCase();
// Two processes on one database is the PostgreSQL mode (the embedded one is single-process).
const itPg = process.env.TEST_DATABASE_URL ? it : it.skip;

describe('ingestion: Slack history pulled incrementally (e2e)', () => {
  const slack = new FakeSlack();
  const logLines: string[] = [];
  const tokens: string[] = [];
  const jobAnswers: string[] = [];
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let dbUrl: string | undefined;
  const children: ChildProcess[] = [];
  let owner: SignedUp;
  let ws: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    await slack.start();
    testApp = await createTestApp({
      env: { SECRETS_KEYS: KEYS, RUN_JOBS: 'true', PULL_SYNC_CRON: '0 0 1 1 *', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', SLACK_API_BASE_URL: slack.apiBase, LOG_LEVEL: 'debug' },
      logLines,
    });
    ({ app, pool } = testApp);
    dbUrl = testApp.db?.url;
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await testApp?.close();
    await slack.close();
  });

  /** A Slack team with a bot token (every scope unless told), its users, and a source connected to it. */
  const team = async (opts: { scopes?: string[]; config?: Record<string, unknown>; users?: Record<string, string> } = {}) => {
    const teamId = `T${rand()}`;
    const botToken = `xoxb-${randomBytes(18).toString('hex')}`;
    const signingSecret = randomBytes(16).toString('hex');
    tokens.push(botToken);
    slack.bot(botToken, teamId, opts.scopes);
    for (const [id, name] of Object.entries(opts.users ?? { U1ANA: 'Ana Lima', U2BEN: 'Ben Okafor' })) slack.user(teamId, id, name);
    const res = await http()
      .post(`/api/v1/workspaces/${ws}/sources`)
      .set(owner.auth)
      .send({ kind: 'slack', name: `Slack ${teamId}`, credentials: { signingSecret, botToken }, config: { teamId, ...opts.config } })
      .expect(201);
    return { teamId, botToken, signingSecret, sourceId: res.body.id as string };
  };
  const job = async (jobId: string) => (await http().get(`/api/v1/workspaces/${ws}/jobs/${jobId}`).set(owner.auth).expect(200)).body;
  const sync = async (sourceId: string) => {
    const j = await syncThroughApi(http, { workspaceId: ws, auth: owner.auth, sourceId });
    jobAnswers.push(JSON.stringify(j));
    // A failed job's reason is the last entry of its error log.
    return { ...j, error: j.status === 'failed' ? (j.errors.at(-1)?.errors?.[0]?.message ?? null) : null } as SyncJob;
  };
  const rows = async (sourceId: string) =>
    (
      await pool.query(
        `SELECT external_id, content, thread_id, is_reply, author_name, channel_name, deleted_at FROM ingestion_messages_view WHERE source_id = $1 ORDER BY external_id`,
        [sourceId],
      )
    ).rows;
  const ingestedEvents = async (sourceId: string) =>
    (
      await pool.query(`SELECT payload->>'externalId' AS id, count(*)::int AS n FROM events WHERE event_type = 'ingestion.message-ingested' AND payload->>'sourceId' = $1 GROUP BY 1`, [sourceId])
    ).rows as { id: string; n: number }[];
  const watermark = async (sourceId: string, stream: string) =>
    (await pool.query(`SELECT cursor_id, meta FROM ingestion_sync_watermarks WHERE source_id = $1 AND stream = $2`, [sourceId, stream])).rows[0] ?? null;

  /** #general (C1) with a thread of three replies, #product (C2) with a thread of one; a channel the bot is not in. */
  const seed = (teamId: string) => {
    const [c1, c2, c3] = [`C1${rand()}`, `C2${rand()}`, `C3${rand()}`];
    slack.channel(teamId, c1, 'general').channel(teamId, c2, 'product').channel(teamId, c3, 'secret', { botMember: false });
    const p1 = slack.post(teamId, c1, 'U1ANA', 'Customers keep asking for SSO');
    slack.reply(teamId, c1, p1, 'U2BEN', 'Which IdP?');
    slack.reply(teamId, c1, p1, 'U1ANA', 'Okta, mostly');
    slack.reply(teamId, c1, p1, 'U2BEN', 'On the roadmap for Q3');
    slack.post(teamId, c1, 'U2BEN', 'Release notes are out');
    slack.post(teamId, c1, 'U1ANA', 'Lunch?');
    const p2 = slack.post(teamId, c2, 'U2BEN', 'Export to CSV is broken');
    slack.reply(teamId, c2, p2, 'U1ANA', 'Fixed in 2.4.1');
    slack.post(teamId, c2, 'U1ANA', 'Dark mode please');
    slack.post(teamId, c3, 'U1ANA', 'not for the bot');
    return { c1, c2, c3, p1, p2 };
  };

  it('backfills the channels the bot is in, threads included, with authors named and thread ids; a second sync stores only what is new', async () => {
    slack.pageSize = 1; // every list is paged by cursor
    const t = await team();
    const { c1, c2, c3, p1, p2 } = seed(t.teamId);
    const from = slack.requests.length;

    const first = await sync(t.sourceId);
    expect(first).toMatchObject({ status: 'completed', kind: 'sync', format: 'slack', counters: { stored: 9, errors: 0 } });
    const stored = await rows(t.sourceId);
    expect(stored).toHaveLength(9);
    expect(stored.some((r) => r.external_id.startsWith(c3))).toBe(false);
    const byText = Object.fromEntries(stored.map((r) => [r.content, r]));
    expect(byText['Okta, mostly']).toMatchObject({ thread_id: `${c1}:${p1}`, is_reply: true, author_name: 'Ana Lima', channel_name: 'general' });
    expect(byText['Customers keep asking for SSO']).toMatchObject({ thread_id: `${c1}:${p1}`, is_reply: false, author_name: 'Ana Lima' });
    expect(byText['Fixed in 2.4.1']).toMatchObject({ thread_id: `${c2}:${p2}`, is_reply: true, channel_name: 'product' });
    expect(byText['Dark mode please']).toMatchObject({ thread_id: null, author_name: 'Ana Lima' });
    // Cursor pagination everywhere, and each user looked up once per sync.
    expect(slack.calls('users.conversations', from).length).toBe(2);
    expect(slack.calls('conversations.history', from).filter((r) => r.args.channel === c1).length).toBe(3);
    expect(slack.calls('conversations.history', from).some((r) => r.args.cursor)).toBe(true);
    expect(slack.calls('conversations.replies', from).filter((r) => r.args.ts === p1).length).toBe(4);
    expect(slack.calls('users.info', from).map((r) => r.args.user).sort()).toEqual(['U1ANA', 'U2BEN']);
    expect((await watermark(t.sourceId, slackChannelStream(c1))).cursor_id).toBe(stored.filter((r) => r.external_id.startsWith(c1)).map((r) => r.external_id.split(':')[1]).sort().pop());
    expect(await ingestedEvents(t.sourceId)).toHaveLength(9);

    // New: a message in #product and a reply to the old #general thread.
    const newTs = slack.post(t.teamId, c2, 'U2BEN', 'Shipping 2.5 today');
    slack.reply(t.teamId, c1, p1, 'U1ANA', 'Great, thanks');
    const before = slack.requests.length;
    const second = await sync(t.sourceId);
    expect(second).toMatchObject({ status: 'completed', counters: { stored: 2 } });
    const events = await ingestedEvents(t.sourceId);
    expect(events).toHaveLength(11);
    expect(Math.max(...events.map((e) => e.n))).toBe(1);
    expect((await rows(t.sourceId)).find((r) => r.external_id === `${c2}:${newTs}`)).toMatchObject({ content: 'Shipping 2.5 today', author_name: 'Ben Okafor' });
    // Incremental: history from the watermark (minus the revisit window), not from the beginning; the thread without new replies is not read.
    expect(slack.calls('conversations.history', before).every((r) => r.args.oldest)).toBe(true);
    expect(slack.calls('conversations.replies', before).map((r) => r.args.ts)).toEqual([p1, p1, p1, p1, p1]);
    // A third run stores nothing.
    expect(await sync(t.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 0 } });
    expect(await ingestedEvents(t.sourceId)).toHaveLength(11);
    slack.pageSize = 1000;
  });

  it('applies edits and deletions as the webhook path does (tombstoned thread parents included), once', async () => {
    const t = await team({ config: {} });
    const { c1, c2, p1, p2 } = seed(t.teamId);
    await sync(t.sourceId);
    const idp = (await rows(t.sourceId)).find((r) => r.content === 'Okta, mostly')!;
    slack.delete(t.teamId, c1, idp.external_id.split(':')[1]); // a reply in the middle of a thread
    const release = (await rows(t.sourceId)).find((r) => r.content === 'Release notes are out')!;
    const lunch = (await rows(t.sourceId)).find((r) => r.content === 'Lunch?')!;
    slack.edit(t.teamId, c1, release.external_id.split(':')[1], 'Release notes for 2.4 are out');
    slack.delete(t.teamId, c1, lunch.external_id.split(':')[1]);
    slack.delete(t.teamId, c2, p2); // a parent with a reply: a tombstone stays
    expect(await sync(t.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 0 } });
    const after = Object.fromEntries((await rows(t.sourceId)).map((r) => [r.external_id, r]));
    expect(after[release.external_id]).toMatchObject({ content: 'Release notes for 2.4 are out', deleted_at: null });
    expect(after[lunch.external_id].deleted_at).not.toBeNull();
    expect(after[`${c2}:${p2}`].deleted_at).not.toBeNull();
    expect(after[`${c2}:${p2}`].content).toBe('Export to CSV is broken');
    expect(after[idp.external_id].deleted_at).not.toBeNull();
    expect((await rows(t.sourceId)).filter((r) => r.thread_id === `${c1}:${p1}` && r.deleted_at === null)).toHaveLength(3);
    const changes = async () =>
      (
        await pool.query(`SELECT event_type, count(*)::int AS n FROM events WHERE event_type IN ('ingestion.message-edited', 'ingestion.message-deleted') AND workspace_id = $1 AND actor_id = 'sync:slack' GROUP BY 1 ORDER BY 1`, [ws])
      ).rows;
    const once = await changes();
    // A rerun appends no echo of the same edit or deletion.
    await sync(t.sourceId);
    expect(await changes()).toEqual(once);
  });

  it('honours a 429 Retry-After by waiting and retrying; a Retry-After longer than the cap fails the run at once, and the next run resumes', async () => {
    const t = await team({ users: { U1ANA: 'Ana Lima' } });
    const c = `C${rand()}`;
    slack.channel(t.teamId, c, 'busy');
    slack.post(t.teamId, c, 'U1ANA', 'one');
    slack.post(t.teamId, c, 'U1ANA', 'two');
    slack.fail({ when: (r) => r.path === '/api/conversations.history', status: 429, retryAfter: '1', body: { ok: false, error: 'ratelimited' } });
    const from = slack.requests.length;
    expect(await sync(t.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 2 } });
    const history = slack.calls('conversations.history', from);
    expect(history.map((r) => r.status)).toEqual([429, 200]);
    // The retry waited what Slack asked.
    expect(history[1].at - history[0].at).toBeGreaterThanOrEqual(1000);

    slack.post(t.teamId, c, 'U1ANA', 'three');
    slack.fail({ when: (r) => r.path === '/api/conversations.history', status: 429, retryAfter: '3600', body: { ok: false, error: 'ratelimited' } });
    const mark = slack.requests.length;
    const limited = await sync(t.sourceId);
    expect(limited.status).toBe('failed');
    expect(limited.error).toMatch(/Slack rate-limited conversations\.history and asked to wait 3600 s .*next run resumes from the watermark/);
    expect(slack.calls('conversations.history', mark)).toHaveLength(1);
    expect(await sync(t.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
  });

  it('a message received by webhook and the same message pulled are one message', async () => {
    const t = await team();
    const c = `C${rand()}`;
    slack.channel(t.teamId, c, 'support');
    const ts = slack.post(t.teamId, c, 'U1ANA', 'Customers keep asking for SSO with Okta');
    const body = JSON.stringify({
      token: 'XXYYZZ',
      team_id: t.teamId,
      type: 'event_callback',
      event_id: `Ev${rand()}`,
      event_time: Number(ts.split('.')[0]),
      event: { type: 'message', user: 'U1ANA', text: 'Customers keep asking for SSO with Okta', ts, team: t.teamId, channel: c, event_ts: ts, channel_type: 'channel' },
    });
    const stamp = String(Math.floor(Date.now() / 1000));
    const pushed = await http()
      .post(`/api/v1/webhooks/slack/${t.sourceId}`)
      .set('Content-Type', 'application/json')
      .set({ 'X-Slack-Request-Timestamp': stamp, 'X-Slack-Signature': `v0=${hmacHex(t.signingSecret, `v0:${stamp}:`, body)}` })
      .send(body)
      .expect(200);
    expect(pushed.body).toMatchObject({ stored: 1 });
    slack.post(t.teamId, c, 'U2BEN', 'Noted');
    const pulled = await sync(t.sourceId);
    expect(pulled).toMatchObject({ status: 'completed', counters: { stored: 1 } });
    const all = await rows(t.sourceId);
    expect(all.map((r) => r.external_id).sort()).toEqual([`${c}:${ts}`, expect.stringMatching(new RegExp(`^${c}:`))].sort());
    expect(all).toHaveLength(2);
    expect((await ingestedEvents(t.sourceId)).every((e) => e.n === 1)).toBe(true);
  });

  it('errors say what to do: a missing scope names it, a channel the bot is not in says invite it; no provider body', async () => {
    const noHistory = await team({ scopes: ['channels:read', 'users:read'] });
    seed(noHistory.teamId);
    const failed = await sync(noHistory.sourceId);
    expect(failed.status).toBe('failed');
    // What to do first (pull-sync/sync-failure.ts), then Slack's refusal as the client describes it.
    expect(failed.error).toMatch(/^Grant the missing permissions: /);
    expect(failed.error.split(' What happened: ')[1]).toBe(
      "Slack refused conversations.history (missing_scope): the bot token lacks the scope channels:history; add it to the Slack app, reinstall the app and update the source's botToken",
    );
    expect(failed.error).not.toContain('provided');
    const src = (await http().get(`/api/v1/workspaces/${ws}/sources/${noHistory.sourceId}`).set(owner.auth).expect(200)).body;
    expect(src).toMatchObject({ syncStatus: 'error', syncError: failed.error, syncErrorCode: 'permissions' });

    const chosen = await team();
    const { c3 } = seed(chosen.teamId);
    await http().patch(`/api/v1/workspaces/${ws}/sources/${chosen.sourceId}`).set(owner.auth).send({ config: { teamId: chosen.teamId, channels: [c3] } }).expect(200);
    const notIn = await sync(chosen.sourceId);
    expect(notIn).toMatchObject({ status: 'failed', error: expect.stringMatching(/not_in_channel\): invite the bot to the channel/) });

    // A token revoked after it was proven (the app uninstalled): reconnect.
    await http().patch(`/api/v1/workspaces/${ws}/sources/${chosen.sourceId}`).set(owner.auth).send({ config: { teamId: chosen.teamId } }).expect(200);
    expect(await sync(chosen.sourceId)).toMatchObject({ status: 'completed' });
    slack.revoke(chosen.botToken);
    const revoked = await sync(chosen.sourceId);
    expect(revoked).toMatchObject({ status: 'failed', error: expect.stringMatching(/no longer accepts the bot token \(.*invalid_auth\): reconnect the source/) });

    // A Slack source without a bot token only receives webhooks: a sync is refused before any job.
    const hookOnly = await http()
      .post(`/api/v1/workspaces/${ws}/sources`)
      .set(owner.auth)
      .send({ kind: 'slack', name: `hooks ${rand()}`, credentials: { signingSecret: randomBytes(16).toString('hex') }, config: { teamId: `T${rand()}` } })
      .expect(201);
    const refused = await http().post(`/api/v1/workspaces/${ws}/sources/${hookOnly.body.id}/sync`).set(owner.auth).expect(422);
    expect(refused.body.detail ?? refused.body.title).toMatch(/bot token/);
  });

  it('a sync failing mid-channel resumes from the per-channel watermarks: the finished channel is read from its watermark, the other at its page', async () => {
    const t = await team();
    const { c1, c2 } = seed(t.teamId);
    const row = (await pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [t.sourceId])).rows[0];
    const source: PullSource = { id: row.id, workspaceId: row.workspace_id, kind: 'slack', credentialsCiphertext: row.credentials_ciphertext, config: { ...row.config, pageSize: 1 } };
    const net = app.get(ConnectorHttp);
    const deps: SyncRunnerDeps = {
      pool,
      writer: app.get(MessageWriter),
      aggregates: app.get(IngestionAggregates),
      credentials: app.get(SourceCredentials),
      http: net.options({ retry: { maxAttempts: 1 } }),
      slackApiBase: net.slackApiBase,
    };
    const meta = () => ({ commandId: uuidv7(), workspaceId: ws, actorId: null, correlationId: uuidv7(), now: new Date() });
    // Channels are read in id order (C1... before C2...): #general completes, #product dies on its second history page.
    slack.fail({ when: (r) => r.path === '/api/conversations.history' && r.body.includes(`channel=${c2}`) && r.body.includes('cursor='), status: 500, times: 1 });
    const crashed = await new SlackSyncRunner(deps).run(source, { meta: meta() });
    expect(crashed).toMatchObject({ status: 'failed', errorCode: 'unreachable', error: expect.stringMatching(/^Try again later: .* What happened: Slack answered conversations\.history with HTTP 500$/) });
    const c1Mark = await watermark(t.sourceId, slackChannelStream(c1));
    expect(c1Mark.cursor_id).toMatch(/^\d+\.\d+$/);
    const c2Mark = await watermark(t.sourceId, slackChannelStream(c2));
    expect(c2Mark).toMatchObject({ cursor_id: null, meta: { walk: { cursor: expect.any(String), oldest: null } } });
    const storedBefore = (await rows(t.sourceId)).length;
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(9);

    const from = slack.requests.length;
    const resumed = await new SlackSyncRunner(deps).run(source, { meta: meta() });
    expect(resumed).toMatchObject({ status: 'completed', stored: 9 - storedBefore });
    const history = slack.calls('conversations.history', from);
    // #general: from its watermark (minus the revisit window); #product: at the page it died on.
    expect(history.find((r) => r.args.channel === c1)!.args.oldest).toBeDefined();
    expect(history.find((r) => r.args.channel === c2)!.args.cursor).toBe(c2Mark.meta.walk.cursor);
    const events = await ingestedEvents(t.sourceId);
    expect(events).toHaveLength(9);
    expect(Math.max(...events.map((e) => e.n))).toBe(1);
    expect((await watermark(t.sourceId, slackChannelStream(c2))).meta).toEqual({});
  });

  itPg('resumes from the per-channel watermarks after kill -9 of the syncing process', async () => {
    const t = await team({ config: { pageSize: 1 } });
    const { c1, c2 } = seed(t.teamId);
    // #product's second history page never answers: the process is killed while waiting for it.
    const held = slack.hold((r) => r.path === '/api/conversations.history' && String(r.body).includes(`channel=${c2}`) && String(r.body).includes('cursor='));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pull-sync-process.ts', dbUrl!, t.sourceId, KEYS], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SLACK_API_BASE_URL: slack.apiBase },
    });
    children.push(child);
    const out: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    await Promise.race([held.reached, new Promise((_r, reject) => setTimeout(() => reject(new Error(`the child did not get there: ${out.join('')}`)), 60_000))]);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    held.release();
    const killedJob = /JOB (\S+)/.exec(out.join(''))![1];
    expect(await job(killedJob)).toMatchObject({ status: 'running' });
    const c1Mark = await watermark(t.sourceId, slackChannelStream(c1));
    expect(c1Mark.cursor_id).toMatch(/^\d+\.\d+$/);
    const c2Mark = await watermark(t.sourceId, slackChannelStream(c2));
    expect(c2Mark).toMatchObject({ cursor_id: null, meta: { walk: { cursor: expect.any(String) } } });
    const storedBefore = (await rows(t.sourceId)).length;

    const from = slack.requests.length;
    expect(await sync(t.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 9 - storedBefore } });
    const history = slack.calls('conversations.history', from);
    expect(history.find((r) => r.args.channel === c1)!.args.oldest).toBeDefined();
    expect(history.find((r) => r.args.channel === c2)!.args.cursor).toBe(c2Mark.meta.walk.cursor);
    const events = await ingestedEvents(t.sourceId);
    expect(events).toHaveLength(9);
    expect(Math.max(...events.map((e) => e.n))).toBe(1);
    expect(await job(killedJob)).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ errors: [expect.objectContaining({ message: expect.stringMatching(/abandoned/) })] })] });
  }, 120_000);

  it('a saved page cursor Slack no longer takes (invalid_cursor) restarts that channel walk at its first page', async () => {
    const t = await team();
    const { c1 } = seed(t.teamId);
    const stale = Buffer.from('expired').toString('base64');
    await pool.query(`INSERT INTO ingestion_sync_watermarks (source_id, stream, cursor_ts, cursor_id, meta, updated_at) VALUES ($1, $2, NULL, NULL, $3, now())`, [
      t.sourceId,
      slackChannelStream(c1),
      JSON.stringify({ walk: { oldest: null, cursor: stale, top: null } }),
    ]);
    const from = slack.requests.length;
    expect(await sync(t.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 9 } });
    const c1History = slack.calls('conversations.history', from).filter((r) => r.args.channel === c1);
    expect(c1History.map((r) => r.args.cursor ?? null)).toEqual([stale, null]);
    expect((await watermark(t.sourceId, slackChannelStream(c1))).meta).toEqual({});
  });

  it('goes through the inward-connect guard: without 127.0.0.1 allowed, nothing reaches the fake and the token is not sent', async () => {
    const t = await team();
    seed(t.teamId);
    const row = (await pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [t.sourceId])).rows[0];
    const source: PullSource = { id: row.id, workspaceId: row.workspace_id, kind: 'slack', credentialsCiphertext: row.credentials_ciphertext, config: row.config };
    const strict = new OutboundGuard();
    const from = slack.requests.length;
    const runner = new SlackSyncRunner({
      pool,
      writer: app.get(MessageWriter),
      aggregates: app.get(IngestionAggregates),
      credentials: app.get(SourceCredentials),
      http: { guard: strict, retry: { maxAttempts: 1 } },
      slackApiBase: app.get(ConnectorHttp).slackApiBase,
    });
    const summary = await runner.run(source, { meta: { commandId: uuidv7(), workspaceId: ws, actorId: null, correlationId: uuidv7(), now: new Date() } });
    await strict.close();
    expect(summary).toMatchObject({ status: 'failed', stored: 0, errorCode: 'invalid_config', error: expect.stringMatching(/^Fix the source's settings: .* What happened: Slack users\.conversations was not sent: /) });
    expect(slack.since(from)).toEqual([]);
  });

  it('is scheduled with the other pulled kinds; a webhook-only Slack source is not counted as failed', async () => {
    for (const s of (await http().get(`/api/v1/workspaces/${ws}/sources`).query({ limit: 500 }).set(owner.auth).expect(200)).body.items) {
      await http().delete(`/api/v1/workspaces/${ws}/sources/${s.id}`).set(owner.auth);
    }
    const t = await team();
    seed(t.teamId);
    await http()
      .post(`/api/v1/workspaces/${ws}/sources`)
      .set(owner.auth)
      .send({ kind: 'slack', name: `hooks ${rand()}`, credentials: { signingSecret: randomBytes(16).toString('hex') }, config: { teamId: `T${rand()}` } })
      .expect(201);
    await app.get(ScheduledJobs).runNow(PULL_SYNC_JOB);
    const run = await eventually(async () => {
      const r = await pool.query(`SELECT status, processed_count, meta FROM worker_runs WHERE job_name = $1 ORDER BY started_at DESC LIMIT 1`, [PULL_SYNC_JOB]);
      return r.rows[0] && r.rows[0].status !== 'running' ? r.rows[0] : false;
    }, 60_000, 200);
    expect(run).toMatchObject({ status: 'ok', processed_count: 9, meta: expect.objectContaining({ sources: 1, completed: [t.sourceId], failed: [] }) });
  });

  it('another workspace gets 404; a viewer cannot start a sync', async () => {
    const t = await team();
    const stranger = await signUp(app);
    const otherWs = await createWorkspace(app, stranger);
    await http().post(`/api/v1/workspaces/${otherWs}/sources/${t.sourceId}/sync`).set(stranger.auth).expect(404);
    const viewerKey = (await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'dashboard', role: 'viewer' }).expect(201)).body.key;
    await http().post(`/api/v1/workspaces/${ws}/sources/${t.sourceId}/sync`).set('X-API-Key', viewerKey).expect(403);
  });

  it('the bot token is never in an answer, an event or a log line', async () => {
    expect(tokens.length).toBeGreaterThan(3);
    const answers = [
      JSON.stringify((await http().get(`/api/v1/workspaces/${ws}/sources`).query({ limit: 500 }).set(owner.auth).expect(200)).body),
      ...jobAnswers,
      JSON.stringify((await http().get(`/api/v1/workspaces/${ws}/messages`).query({ limit: 500 }).set(owner.auth).expect(200)).body),
    ];
    const events = (await pool.query(`SELECT payload::text AS p, metadata::text AS m FROM events`)).rows.map((r) => `${r.p} ${r.m}`);
    const marks = (await pool.query(`SELECT meta::text AS m FROM ingestion_sync_watermarks`)).rows.map((r) => r.m);
    expect(logLines.length).toBeGreaterThan(0);
    for (const token of tokens) {
      for (const text of [...answers, ...events, ...marks, ...logLines]) expect(text.includes(token)).toBe(false);
    }
  });
});
