import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { OutboundGuard } from '@libs/common/net/outbound-guard';
import { OAuthAccessTokens } from '@modules/identity/contracts';
import { m365FolderStream, Microsoft365SyncRunner } from '@modules/ingestion/application/pull-sync/microsoft365-sync.runner';
import { PullSyncService } from '@modules/ingestion/application/pull-sync/pull-sync.service';
import { PullSource } from '@modules/ingestion/application/pull-sync/sync-runner';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { FakeGraph } from '@test/support/fakes/graph.fake';
import { SyncJob, syncThroughApi } from '@test/support/pull-sync-client';
import { createWorkspace, linkOAuthAccount, signUp, SignedUp, uniqueSecret } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
// Two processes on one database is the PostgreSQL mode (the embedded one is single-process).
const itPg = process.env.TEST_DATABASE_URL ? it : it.skip;
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

/**
 * Issue 18 item 3: Microsoft 365 mail through Graph delta queries (the deltaLink, and mid-round the
 * nextLink, as the watermark), the linked account's token, throttling honoured, errors that say
 * what to do.
 */
describe('ingestion: Microsoft 365 mail pulled with Graph delta (e2e)', () => {
  const graph = new FakeGraph();
  const logLines: string[] = [];
  const tokens: string[] = [];
  const jobAnswers: string[] = [];
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let dbUrl: string | undefined;
  const children: ChildProcess[] = [];
  // The guard of the runners built by hand (closed at the end: its connections are kept alive).
  const localGuard = new OutboundGuard({ allowList: '127.0.0.1' });
  let owner: SignedUp;
  let ws: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    await graph.start();
    testApp = await createTestApp({
      env: { SECRETS_KEYS: KEYS, RUN_JOBS: 'true', PULL_SYNC_CRON: '0 0 1 1 *', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', GRAPH_API_BASE_URL: graph.apiBase, LOG_LEVEL: 'debug' },
      logLines,
    });
    ({ app, pool } = testApp);
    dbUrl = testApp.db?.url;
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await localGuard.close();
    await testApp?.close();
    await graph.close();
  });

  /** A Microsoft account linked by `user` (a token the fake knows) and its mailbox. */
  const account = async (user: SignedUp = owner, opts: { canReadMail?: boolean } = {}) => {
    const token = uniqueSecret('graph-access');
    tokens.push(token);
    const mailbox = graph.mailbox(token, opts);
    const linked = await linkOAuthAccount(app, user, { provider: 'microsoft', accessToken: token, expiresAt: inAnHour(), scope: 'openid email Mail.Read offline_access' });
    return { token, mailbox, accountId: linked.id };
  };
  const connect = (config: Record<string, unknown>, user: SignedUp = owner) =>
    http().post(`/api/v1/workspaces/${ws}/sources`).set(user.auth).send({ kind: 'microsoft365', name: `M365 ${randomBytes(3).toString('hex')}`, config });
  const source = async (config: Record<string, unknown> = {}) => {
    const a = await account();
    const res = await connect({ oauthAccountId: a.accountId, ...config }).expect(201);
    expect(res.body).toMatchObject({ kind: 'microsoft365', hasCredentials: false });
    return { ...a, sourceId: res.body.id as string };
  };
  const sync = async (sourceId: string) => {
    const j = await syncThroughApi(http, { workspaceId: ws, auth: owner.auth, sourceId });
    jobAnswers.push(JSON.stringify(j));
    return { ...j, error: j.status === 'failed' ? (j.errors.at(-1)?.errors?.[0]?.message ?? null) : null } as SyncJob;
  };
  const rows = async (sourceId: string) =>
    (
      await pool.query(
        `SELECT external_id, content, title, thread_id, is_reply, author_name, author_email, deleted_at, metadata, email FROM ingestion_messages_view WHERE source_id = $1 ORDER BY sent_at, external_id`,
        [sourceId],
      )
    ).rows;
  const eventCounts = async (sourceId: string, type: string) =>
    (await pool.query(`SELECT payload->>'externalId' AS id, count(*)::int AS n FROM events WHERE event_type = $1 AND payload->>'sourceId' = $2 GROUP BY 1`, [type, sourceId])).rows as { id: string; n: number }[];
  const deletedEvents = async (sourceId: string) =>
    Number(
      (
        await pool.query(
          `SELECT count(*)::int AS n FROM events e JOIN ingestion_messages_view m ON e.stream_id = 'message-' || m.id::text WHERE e.event_type = 'ingestion.message-deleted' AND m.source_id = $1`,
          [sourceId],
        )
      ).rows[0].n,
    );
  const watermark = async (sourceId: string, folder: string) =>
    (await pool.query(`SELECT cursor_ts, meta FROM ingestion_sync_watermarks WHERE source_id = $1 AND stream = $2`, [sourceId, m365FolderStream(folder)])).rows[0] ?? null;

  it('only the user who linked a Microsoft account may name it; the config is checked', async () => {
    const other = await signUp(app);
    const theirs = await account(other);
    const refused = await connect({ oauthAccountId: theirs.accountId }).expect(422);
    expect(refused.body).toMatchObject({ code: 'INGESTION.LINKED_ACCOUNT_REFUSED' });
    expect(refused.body.detail ?? refused.body.message ?? '').not.toContain(theirs.token);
    await connect({ oauthAccountId: uuidv7() }).expect(422);
    const google = await linkOAuthAccount(app, owner, { provider: 'google', expiresAt: inAnHour() });
    await connect({ oauthAccountId: google.id }).expect(422);
    const bad = await connect({ oauthAccountId: 'nope', folders: ['in box'], backfillDays: -1 }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['config.backfillDays', 'config.folders', 'config.oauthAccountId']);
  });

  it('backfills inbox and sent items page by page (nextLink), then stores only the new mail from the deltaLink', async () => {
    const s = await source({ pageSize: 2 });
    const first = graph.deliver(s.mailbox, 'inbox', { subject: 'SSO for our team?', text: 'We need SAML &amp; Okta' });
    graph.deliver(s.mailbox, 'inbox', { subject: 'RE: SSO for our team?', replyTo: first, text: 'Which IdP do you use?' });
    for (let i = 0; i < 3; i++) graph.deliver(s.mailbox, 'inbox', { subject: `Invoice ${i}`, isRead: true });
    graph.deliver(s.mailbox, 'sentitems', { subject: 'Your quote', from: { emailAddress: { name: 'Support', address: 'support@vendor.example' } } });
    graph.deliver(s.mailbox, 'archive', { subject: 'not synced: archive is not in the default folders' });
    const from = graph.requests.length;

    const job = await sync(s.sourceId);
    expect(job).toMatchObject({ status: 'completed', kind: 'sync', format: 'microsoft365', counters: { stored: 6, errors: 0 } });
    const stored = await rows(s.sourceId);
    expect(stored).toHaveLength(6);
    const sso = stored.find((r) => r.title === 'SSO for our team?')!;
    const reply = stored.find((r) => r.title === 'RE: SSO for our team?')!;
    // HTML made plain by the email import's path (the style block dropped, entities decoded).
    expect(sso).toMatchObject({ external_id: first.id, content: 'We need SAML & Okta', thread_id: first.conversationId, is_reply: false, author_name: 'Ana Lima', author_email: 'ana@customer.example' });
    expect(sso.metadata).toMatchObject({ internetMessageId: first.internetMessageId, conversationId: first.conversationId, folder: 'inbox' });
    expect(sso.email).toMatchObject({ isUnread: true, isSent: false, snippet: expect.stringContaining('We need SAML') });
    expect(sso.email.bodyHtml).toContain('<p>');
    expect(reply).toMatchObject({ thread_id: first.conversationId, is_reply: true });
    expect(stored.find((r) => r.title === 'Your quote')!.email).toMatchObject({ isSent: true });

    const requests = graph.deltaRequests(from);
    // inbox: 5 messages at 2 a page = 3 pages; sentitems: 1 page.
    expect(requests.map((r) => `${r.path.split('/')[4]} ${r.query.$skiptoken ? 'skip' : r.query.$deltatoken ? 'delta' : 'new'}`)).toEqual(['inbox new', 'inbox skip', 'inbox skip', 'sentitems new']);
    expect(requests[0].query.$select.split(',')).toEqual(expect.arrayContaining(['subject', 'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'receivedDateTime', 'sentDateTime', 'conversationId', 'internetMessageId', 'body', 'bodyPreview', 'isRead', 'hasAttachments', 'categories', 'parentFolderId']));
    expect(requests[0].headers.prefer).toMatch(/odata\.maxpagesize=2/);
    expect(requests[0].headers.authorization).toBe(`Bearer ${s.token}`);
    expect((await watermark(s.sourceId, 'inbox')).meta).toEqual({ link: expect.stringContaining('$deltatoken='), paging: false, account: s.accountId });

    const fresh = graph.deliver(s.mailbox, 'inbox', { subject: 'One more question' });
    const mark = graph.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
    expect(graph.deltaRequests(mark).every((r) => r.query.$deltatoken !== undefined)).toBe(true);
    expect((await rows(s.sourceId)).map((r) => r.external_id)).toContain(fresh.id);
    // A change that is not new mail (read on another device) is answered again and stores nothing.
    graph.update(fresh.id, { isRead: true });
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 0 } });
    expect((await eventCounts(s.sourceId, 'ingestion.message-ingested')).every((x) => x.n === 1)).toBe(true);
  });

  it('applies @removed as deletions, once', async () => {
    const s = await source({ folders: ['inbox'] });
    const keep = graph.deliver(s.mailbox, 'inbox', { subject: 'keep me' });
    const drop = graph.deliver(s.mailbox, 'inbox', { subject: 'drop me' });
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 2 } });
    graph.remove(drop.id);
    const mark = graph.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 0 } });
    expect((graph.deltaRequests(mark)[0].status)).toBe(200);
    const byId = new Map((await rows(s.sourceId)).map((r) => [r.external_id, r]));
    expect(byId.get(drop.id)!.deleted_at).not.toBeNull();
    expect(byId.get(keep.id)!.deleted_at).toBeNull();
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed' });
    expect(await deletedEvents(s.sourceId)).toBe(1);
  });

  it('naming another linked account starts that mailbox from a new round (the old delta token is never sent with the new token)', async () => {
    const s = await source({ folders: ['inbox'] });
    graph.deliver(s.mailbox, 'inbox', { subject: 'first mailbox' });
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
    const b = await account();
    graph.deliver(b.mailbox, 'inbox', { subject: 'second mailbox' });
    await http().patch(`/api/v1/workspaces/${ws}/sources/${s.sourceId}`).set(owner.auth).send({ config: { oauthAccountId: b.accountId, folders: ['inbox'] } }).expect(200);
    const mark = graph.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
    expect(graph.deltaRequests(mark).map((r) => [r.query.$deltatoken ?? null, r.headers.authorization])).toEqual([[null, `Bearer ${b.token}`]]);
    // Another user's account cannot be named by an update either.
    const other = await account(await signUp(app));
    await http().patch(`/api/v1/workspaces/${ws}/sources/${s.sourceId}`).set(owner.auth).send({ config: { oauthAccountId: other.accountId } }).expect(422);
  });

  it('an expired delta token (410 Gone) reads the folder again without doubling anything', async () => {
    const s = await source({ folders: ['inbox'], pageSize: 3 });
    for (let i = 0; i < 4; i++) graph.deliver(s.mailbox, 'inbox', { subject: `Mail ${i}` });
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 4 } });
    graph.deliver(s.mailbox, 'inbox', { subject: 'after the token expired' });
    graph.expireDeltaTokens();
    const mark = graph.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
    const requests = graph.deltaRequests(mark);
    expect(requests.map((r) => r.status)).toEqual([410, 200, 200]);
    expect(requests[1].query.$deltatoken).toBeUndefined();
    expect(await rows(s.sourceId)).toHaveLength(5);
    expect((await eventCounts(s.sourceId, 'ingestion.message-ingested')).map((x) => x.n)).toEqual([1, 1, 1, 1, 1]);
  });

  it('honours 429 Retry-After (the Graph client waits, then goes on)', async () => {
    const s = await source({ folders: ['inbox'] });
    graph.deliver(s.mailbox, 'inbox', { subject: 'throttled' });
    graph.fail({ when: (r) => r.headers.authorization === `Bearer ${s.token}`, status: 429, retryAfter: '1', body: { error: { code: 'TooManyRequests', message: 'Application is over its MailboxConcurrency limit.' } } });
    const mark = graph.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
    const requests = graph.deltaRequests(mark);
    expect(requests.map((r) => r.status)).toEqual([429, 200]);
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(1000);

    // A wait longer than the cap fails the run at once: the next one resumes.
    graph.deliver(s.mailbox, 'inbox', { subject: 'later' });
    graph.fail({ when: (r) => r.headers.authorization === `Bearer ${s.token}`, status: 429, retryAfter: '3600', body: { error: { code: 'TooManyRequests', message: 'Too many.' } } });
    const limited = await sync(s.sourceId);
    expect(limited).toMatchObject({ status: 'failed' });
    expect(limited.error).toMatch(/throttling .*429.*next run resumes/);
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
  });

  it('a refused token (401) says to connect the account again; a missing permission (403) names it; no Graph text', async () => {
    const s = await source({ folders: ['inbox'] });
    graph.deliver(s.mailbox, 'inbox', { subject: 'unreachable' });
    graph.revoke(s.token);
    const mark = graph.requests.length;
    const failed = await sync(s.sourceId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/connect the Microsoft account again/);
    expect(failed.error).not.toMatch(/Access token has expired/);
    // One try with the token; the stored-token contract cannot refresh, so no second call.
    expect(graph.deltaRequests(mark).map((r) => r.status)).toEqual([401]);
    const row = (await http().get(`/api/v1/workspaces/${ws}/sources/${s.sourceId}`).set(owner.auth).expect(200)).body;
    expect(row).toMatchObject({ syncStatus: 'error', syncError: expect.stringMatching(/connect the Microsoft account again/) });

    const a = await account(owner, { canReadMail: false });
    const denied = (await connect({ oauthAccountId: a.accountId, folders: ['inbox'] }).expect(201)).body.id;
    const job = await sync(denied);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/Mail\.Read/);
    expect(job.error).not.toMatch(/Access is denied/);

    const missing = await source({ folders: ['nosuchfolder'] });
    expect((await sync(missing.sourceId)).error).toMatch(/does not exist .*config\.folders/);
  });

  it('a refresh after a 401 is tried once with the new token', async () => {
    const s = await source({ folders: ['inbox'] });
    graph.deliver(s.mailbox, 'inbox', { subject: 'after refresh' });
    const fresh = uniqueSecret('graph-refreshed');
    tokens.push(fresh);
    graph.revoke(s.token);
    // The contract as a refreshing implementation answers it: a new token for the same mailbox.
    graph.grant(fresh, s.mailbox);
    const oauth = app.get(OAuthAccessTokens);
    const refreshing: OAuthAccessTokens = {
      accessFor: (id) => oauth.accessFor(id),
      refreshAfterRejection: async (id, rejected) => {
        expect(rejected).toBe(s.token);
        return { ...(await oauth.accessFor(id)), accessToken: fresh };
      },
    };
    const summary = await runner({ oauth: refreshing }).run(await pullSource(s.sourceId), { meta: meta() });
    expect(summary).toMatchObject({ status: 'completed', stored: 1 });
    expect(graph.requests.slice(-2).map((r) => [r.status, r.headers.authorization])).toEqual([[401, `Bearer ${s.token}`], [200, `Bearer ${fresh}`]]);
  });

  const meta = () => ({ commandId: uuidv7(), workspaceId: ws, actorId: null, correlationId: uuidv7(), now: new Date() });
  const pullSource = async (id: string): Promise<PullSource> => {
    const row = (await pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [id])).rows[0];
    return { id: row.id, workspaceId: row.workspace_id, kind: 'microsoft365', credentialsCiphertext: row.credentials_ciphertext, config: row.config };
  };
  const runner = (extra: { oauth?: OAuthAccessTokens; guard?: OutboundGuard } = {}) =>
    new Microsoft365SyncRunner({
      pool,
      writer: app.get(MessageWriter),
      aggregates: app.get(IngestionAggregates),
      credentials: app.get(SourceCredentials),
      http: { guard: extra.guard ?? localGuard, retry: { maxAttempts: 2 } },
      graphApiBase: graph.apiBase,
      oauthTokens: extra.oauth ?? app.get(OAuthAccessTokens),
    });

  it('stopped mid-paging, the next run resumes from the saved nextLink and stores nothing twice', async () => {
    const s = await source({ folders: ['inbox'], pageSize: 2 });
    for (let i = 0; i < 7; i++) graph.deliver(s.mailbox, 'inbox', { subject: `Paged ${i}` });
    // The third page is held; the sync is stopped while it waits (as a shutdown or a lost lease stops it).
    let skips = 0;
    const held = graph.hold((r) => r.headers.authorization === `Bearer ${s.token}` && r.query.$skiptoken !== undefined && ++skips === 2);
    const started = await http().post(`/api/v1/workspaces/${ws}/sources/${s.sourceId}/sync`).set(owner.auth).expect(202);
    const third = await held.reached;
    await app.get(PullSyncService).beforeApplicationShutdown();
    held.release();
    const stopped = (await http().get(`/api/v1/workspaces/${ws}/jobs/${started.body.jobId}`).set(owner.auth).expect(200)).body;
    expect(stopped).toMatchObject({ status: 'failed', counters: { stored: 4 } });
    expect((await watermark(s.sourceId, 'inbox')).meta).toEqual({ link: expect.stringContaining(`$skiptoken=${third.query.$skiptoken}`), paging: true, account: s.accountId });

    const mark = graph.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 3 } });
    expect(graph.deltaRequests(mark)[0].query.$skiptoken).toBe(third.query.$skiptoken);
    expect(await rows(s.sourceId)).toHaveLength(7);
    expect((await eventCounts(s.sourceId, 'ingestion.message-ingested')).every((x) => x.n === 1)).toBe(true);
  });

  itPg('resumes from the saved nextLink after kill -9 of the syncing process', async () => {
    const s = await source({ folders: ['inbox'], pageSize: 2 });
    for (let i = 0; i < 5; i++) graph.deliver(s.mailbox, 'inbox', { subject: `Killed ${i}` });
    // The second page never answers: the process is killed while waiting for it.
    const held = graph.hold((r) => r.headers.authorization === `Bearer ${s.token}` && r.query.$skiptoken !== undefined);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pull-sync-process.ts', dbUrl!, s.sourceId, KEYS], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GRAPH_API_BASE_URL: graph.apiBase },
    });
    children.push(child);
    const out: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    let timer: NodeJS.Timeout | undefined;
    const second = await Promise.race([held.reached, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`the child did not get there: ${out.join('')}`)), 60_000)))]).finally(() => clearTimeout(timer));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    held.release();
    const killedJob = /JOB (\S+)/.exec(out.join(''))![1];
    expect((await watermark(s.sourceId, 'inbox')).meta).toMatchObject({ link: expect.stringContaining(`$skiptoken=${second.query.$skiptoken}`), paging: true });
    expect(await rows(s.sourceId)).toHaveLength(2);

    const mark = graph.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 3 } });
    expect(graph.deltaRequests(mark)[0].query.$skiptoken).toBe(second.query.$skiptoken);
    expect((await eventCounts(s.sourceId, 'ingestion.message-ingested')).map((x) => x.n)).toEqual([1, 1, 1, 1, 1]);
    const killed = (await http().get(`/api/v1/workspaces/${ws}/jobs/${killedJob}`).set(owner.auth).expect(200)).body;
    expect(killed).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ errors: [expect.objectContaining({ message: expect.stringMatching(/abandoned/) })] })] });
  }, 120_000);

  it('goes through the inward-connect guard: without 127.0.0.1 allowed, nothing reaches the fake', async () => {
    const s = await source({ folders: ['inbox'] });
    const strict = new OutboundGuard();
    const mark = graph.requests.length;
    const summary = await runner({ guard: strict }).run(await pullSource(s.sourceId), { meta: meta() });
    await strict.close();
    expect(summary).toMatchObject({ status: 'failed', stored: 0, error: expect.stringMatching(/not sent: /) });
    expect(graph.since(mark)).toEqual([]);
  });

  it('is scheduled with the other pulled kinds although it has no source credentials', async () => {
    for (const src of (await http().get(`/api/v1/workspaces/${ws}/sources`).query({ limit: 500 }).set(owner.auth).expect(200)).body.items) {
      await http().delete(`/api/v1/workspaces/${ws}/sources/${src.id}`).set(owner.auth);
    }
    const s = await source({ folders: ['inbox'] });
    graph.deliver(s.mailbox, 'inbox', { subject: 'scheduled' });
    const result = await app.get(PullSyncService).syncAll(uuidv7());
    expect(result).toMatchObject({ processed: 1, meta: { sources: 1, completed: [s.sourceId], failed: [] } });
  });

  it('the access token is never in an answer, an event, a watermark or a log line', async () => {
    expect(tokens.length).toBeGreaterThan(5);
    const answers = [JSON.stringify((await http().get(`/api/v1/workspaces/${ws}/sources`).query({ limit: 500 }).set(owner.auth).expect(200)).body), ...jobAnswers];
    const events = (await pool.query(`SELECT payload::text AS p, metadata::text AS m FROM events`)).rows.map((r) => `${r.p} ${r.m}`);
    const marks = (await pool.query(`SELECT meta::text AS m FROM ingestion_sync_watermarks`)).rows.map((r) => r.m);
    expect(logLines.length).toBeGreaterThan(0);
    for (const token of tokens) for (const text of [...answers, ...events, ...marks, ...logLines]) expect(text.includes(token)).toBe(false);
  });
});
