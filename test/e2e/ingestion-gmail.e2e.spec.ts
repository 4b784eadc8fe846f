import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { OAuthAccessTokens } from '@modules/identity/contracts';
import { GMAIL_STREAM, GmailSyncRunner } from '@modules/ingestion/application/pull-sync/gmail-sync.runner';
import { PullSyncService } from '@modules/ingestion/application/pull-sync/pull-sync.service';
import { PullSource, SyncRunnerDeps } from '@modules/ingestion/application/pull-sync/sync-runner';
import { GMAIL_PERMISSIONS, GMAIL_RECONNECT } from '@modules/ingestion/infrastructure/connectors/gmail.client';
import { ConnectorHttp } from '@modules/ingestion/infrastructure/connectors/connector-http';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { eventually } from '@test/support/eventually';
import { FakeGmail, GMAIL_READONLY } from '@test/support/fakes/gmail.fake';
import { createWorkspace, linkOAuthAccount, LinkedOAuthAccount, signUp, SignedUp } from '@test/support/identity-client';
import { SyncJob, syncThroughApi } from '@test/support/pull-sync-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
const DAY = 86_400_000;
const GMAIL_SCOPE = `openid email ${GMAIL_READONLY}`;
// Two processes on one database is the PostgreSQL mode (the embedded one is single-process).
const itPg = process.env.TEST_DATABASE_URL ? it : it.skip;

let n = 0;
/** RFC 822 lines joined with CRLF. */
const rfc = (...lines: string[]) => lines.join('\r\n');
const header = (subject: string, id: string, extra: string[] = []) => [
  'From: Dana Scully <dana@fbi.example>',
  'To: Fox Mulder <fox@fbi.example>',
  `Subject: ${subject}`,
  'Date: Thu, 01 Jan 2026 10:00:00 +0000',
  `Message-ID: <${id}>`,
  'MIME-Version: 1.0',
  ...extra,
];
const newId = () => `m${++n}.${uuidv7()}@mail.example`;

/** A plain text mail. */
function plain(subject: string, body: string, extra: string[] = [], id = newId()) {
  return { id, raw: rfc(...header(subject, id, extra), 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, '') };
}
/** Declares a charset no one knows, with Latin-1 bytes in it (as broken mailers send). */
function brokenCharset() {
  const id = newId();
  const text = rfc(...header('Caf\xe9 order', id), 'Content-Type: text/plain; charset="x-broken-charset-9"', 'Content-Transfer-Encoding: 8bit', '', 'Le caf\xe9 est froid, merci de rembourser.', '');
  return { id, raw: Buffer.from(text, 'latin1') };
}
/** No text part at all. */
function htmlOnly() {
  const id = newId();
  return {
    id,
    raw: rfc(
      ...header('Invoice overdue', id),
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><style>p{color:red}</style></head><body><p>Your <b>invoice #4411</b> is overdue.</p><ul><li>Amount: 120 EUR</li></ul></body></html>',
      '',
    ),
  };
}
/** Text plus a PDF attachment. */
function withAttachment() {
  const id = newId();
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n').toString('base64');
  return {
    id,
    raw: rfc(
      ...header('Signed contract', id),
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Please find the signed contract attached.',
      '--b1',
      'Content-Type: application/pdf; name="contract.pdf"',
      'Content-Disposition: attachment; filename="contract.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      pdf,
      '--b1--',
      '',
    ),
  };
}

describe('ingestion: Gmail sync through the REST API (e2e)', () => {
  const gmail = new FakeGmail();
  const logLines: string[] = [];
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let owner: SignedUp;
  let ws: string;
  let dbUrl: string | undefined;
  const children: ChildProcess[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    await gmail.start();
    testApp = await createTestApp({
      env: { SECRETS_KEYS: KEYS, PULL_SYNC_CRON: '0 0 1 1 *', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', GMAIL_API_BASE_URL: gmail.apiBase, LOG_LEVEL: 'debug' },
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
    await gmail.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    gmail.clearFaults();
  });

  /** A Google account linked by `user` (a token valid for an hour) whose token reads a fresh mailbox of the fake. */
  const linkMailbox = async (user = owner, scope: string | undefined = GMAIL_SCOPE, fakeScopes?: string[]) => {
    const email = `fox-${randomBytes(4).toString('hex')}@gmail.example`;
    const account = await linkOAuthAccount(app, user, { provider: 'google', providerAccountId: `sub-${uuidv7()}`, expiresAt: new Date(Date.now() + 3600_000).toISOString(), scope });
    gmail.grant(account.accessToken, email, fakeScopes);
    return { email, account };
  };
  const createSource = (account: LinkedOAuthAccount, config: Record<string, unknown> = {}, user = owner) =>
    http().post(`/api/v1/workspaces/${ws}/sources`).set(user.auth).send({ kind: 'gmail', name: `Gmail ${randomBytes(3).toString('hex')}`, config: { oauthAccountId: account.id, ...config } });
  const sync = async (sourceId: string): Promise<SyncJob> => {
    const j = await syncThroughApi(http, { workspaceId: ws, auth: owner.auth, sourceId });
    return { ...j, error: j.status === 'failed' ? (j.errors.at(-1)?.errors?.[0]?.message ?? null) : null };
  };
  const rows = async (sourceId: string) =>
    (
      await pool.query(
        `SELECT external_id, content, title, thread_id, is_reply, author_email, email, metadata, sent_at, deleted_at FROM ingestion_messages_view WHERE source_id = $1 ORDER BY sent_at, external_id`,
        [sourceId],
      )
    ).rows;
  const ingested = async (sourceId: string) =>
    (await pool.query(`SELECT payload->>'externalId' AS id, count(*)::int AS n FROM events WHERE event_type = 'ingestion.message-ingested' AND payload->>'sourceId' = $1 GROUP BY 1`, [sourceId]))
      .rows as { id: string; n: number }[];
  const deletions = async (sourceId: string) =>
    Number((await pool.query(`SELECT count(*) FROM events e JOIN ingestion_messages_view m ON e.stream_id = 'message-' || m.id WHERE e.event_type = 'ingestion.message-deleted' AND m.source_id = $1`, [sourceId])).rows[0].count);
  const watermark = async (sourceId: string) => (await pool.query(`SELECT cursor_id, meta FROM ingestion_sync_watermarks WHERE source_id = $1 AND stream = $2`, [sourceId, GMAIL_STREAM])).rows[0] ?? null;
  const sourceOf = async (sourceId: string) => (await http().get(`/api/v1/workspaces/${ws}/sources/${sourceId}`).set(owner.auth).expect(200)).body;

  /** The realistic mailbox: a thread of two, a broken charset, HTML only, an attachment; an old mail, a draft, a spam. */
  const fill = (email: string) => {
    const now = Date.now();
    const root = plain('SSO for the EU tenant', 'Customers keep asking for SSO with Okta.');
    const reply = plain('Re: SSO for the EU tenant', 'It is on the roadmap for Q3.', [`In-Reply-To: <${root.id}>`, `References: <${root.id}>`]);
    const m = {
      root: gmail.deliver(email, root.raw, { labelIds: ['INBOX', 'IMPORTANT', 'CATEGORY_PERSONAL'], internalDate: now - 5 * DAY }),
      reply: gmail.deliver(email, reply.raw, { labelIds: ['SENT'], internalDate: now - 4 * DAY }),
      broken: gmail.deliver(email, brokenCharset().raw, { labelIds: ['INBOX', 'UNREAD'], internalDate: now - 3 * DAY }),
      html: gmail.deliver(email, htmlOnly().raw, { labelIds: ['INBOX', 'UNREAD', 'STARRED', 'Label_42'], internalDate: now - 2 * DAY }),
      attachment: gmail.deliver(email, withAttachment().raw, { labelIds: ['INBOX'], internalDate: now - 1 * DAY }),
      old: gmail.deliver(email, plain('Ancient history', 'From last year.').raw, { labelIds: ['INBOX'], internalDate: now - 200 * DAY }),
      draft: gmail.deliver(email, plain('Draft reply', 'Not sent yet.').raw, { labelIds: ['DRAFT'], internalDate: now - 1 * DAY }),
      spam: gmail.deliver(email, plain('You won', 'Claim your prize.').raw, { labelIds: ['SPAM', 'UNREAD'], internalDate: now - 1 * DAY }),
    };
    return { ...m, rootId: root.id };
  };

  it('backfills the window, parsed by the email reader, with Gmail ids, thread ids and labels; new mail then comes by historyId alone, deletions too', async () => {
    const { email, account } = await linkMailbox();
    const m = fill(email);
    const profileHistoryId = gmail.mailbox(email).historyId;
    const created = await createSource(account).expect(201);
    expect(created.body).toMatchObject({ kind: 'gmail', hasCredentials: false, config: { oauthAccountId: account.id } });
    const sourceId = created.body.id as string;
    const from = gmail.requests.length;

    const first = await sync(sourceId);
    expect(first).toMatchObject({ status: 'completed', kind: 'sync', format: 'gmail', counters: { stored: 5, errors: 0 } });
    const stored = Object.fromEntries((await rows(sourceId)).map((r) => [r.external_id, r]));
    expect(Object.keys(stored).sort()).toEqual([m.root.id, m.reply.id, m.broken.id, m.html.id, m.attachment.id].sort());
    // Gmail's ids and labels, and the flags the labels carry.
    expect(stored[m.root.id]).toMatchObject({ thread_id: m.root.id, is_reply: false, title: 'SSO for the EU tenant', author_email: 'dana@fbi.example', content: 'Customers keep asking for SSO with Okta.' });
    expect(stored[m.root.id].email).toMatchObject({ labels: ['INBOX', 'IMPORTANT', 'CATEGORY_PERSONAL'], isImportant: true, isUnread: false, isSent: false, internalDate: new Date(m.root.internalDate).toISOString() });
    expect(stored[m.root.id].metadata).toMatchObject({ messageId: m.rootId, gmailThreadId: m.root.id, gmail: { messageId: m.root.id, threadId: m.root.id, historyId: String(m.root.historyId), labelIds: ['INBOX', 'IMPORTANT', 'CATEGORY_PERSONAL'] } });
    expect(stored[m.reply.id]).toMatchObject({ thread_id: m.root.id, is_reply: true });
    expect(stored[m.reply.id].email).toMatchObject({ labels: ['SENT'], isSent: true });
    // The same reader as imports: a broken charset still reads, HTML made plain, attachments listed.
    expect(stored[m.broken.id].content).toMatch(/^Le caf.{1,2} est froid, merci de rembourser\.$/);
    expect(stored[m.broken.id].email).toMatchObject({ isUnread: true });
    expect(stored[m.html.id].content).toBe('Your invoice #4411 is overdue.\n- Amount: 120 EUR');
    expect(stored[m.html.id].email).toMatchObject({ labels: ['INBOX', 'UNREAD', 'STARRED', 'Label_42'], isStarred: true, isUnread: true, bodyHtml: expect.stringContaining('<b>invoice #4411</b>') });
    expect(stored[m.attachment.id].metadata.attachments).toEqual([{ name: 'contract.pdf', type: 'application/pdf', size: expect.any(Number) }]);
    // The window (after: 90 days back), spam never listed, the draft fetched then left out.
    const lists = gmail.calls('messages.list', from);
    expect(lists).toHaveLength(1);
    const after = Number(/after:(\d+)/.exec(lists[0].query.q)![1]);
    expect(Math.abs(after * 1000 - (Date.now() - 90 * DAY))).toBeLessThan(120_000);
    expect(gmail.calls('messages.get', from).map((r) => r.query.format)).toEqual(Array(6).fill('raw'));
    expect(first.counters).toMatchObject({ fetched: 6, stored: 5, skipped: 1 });
    // The history id read BEFORE the walk is where incremental syncs start.
    expect(gmail.calls('profile', from)).toHaveLength(1);
    expect(await watermark(sourceId)).toEqual({ cursor_id: String(profileHistoryId), meta: {} });
    expect(gmail.calls('history', from).map((r) => r.query.startHistoryId)).toEqual([String(profileHistoryId)]);

    // New mail (one a reply into the thread) and a deletion: only history is read.
    const late = plain('Re: SSO for the EU tenant', 'Okta only, please.', [`In-Reply-To: <${m.rootId}>`, `References: <${m.rootId}>`]);
    const n1 = gmail.deliver(email, late.raw, { labelIds: ['INBOX', 'UNREAD'] });
    const n2 = gmail.deliver(email, withAttachment().raw, { labelIds: ['INBOX'] });
    gmail.deliver(email, plain('Promo', 'Buy now').raw, { labelIds: ['SPAM'] });
    gmail.remove(email, m.broken.id);
    const before = gmail.requests.length;
    const second = await sync(sourceId);
    expect(second).toMatchObject({ status: 'completed', counters: { stored: 2 } });
    expect(gmail.calls('messages.list', before)).toHaveLength(0);
    expect(gmail.calls('profile', before)).toHaveLength(0);
    expect(gmail.calls('history', before)[0].params.getAll('historyTypes')).toEqual(['messageAdded', 'messageDeleted']);
    expect(gmail.calls('messages.get', before).map((r) => r.path.split('/').pop()).sort()).toEqual([n1.id, n2.id].sort());
    const after2 = Object.fromEntries((await rows(sourceId)).map((r) => [r.external_id, r]));
    expect(after2[n1.id]).toMatchObject({ thread_id: m.root.id, is_reply: true, content: 'Okta only, please.' });
    expect(after2[m.broken.id].deleted_at).not.toBeNull();
    expect((await watermark(sourceId)).cursor_id).toBe(String(gmail.mailbox(email).historyId));

    // A third run stores nothing and deletes nothing twice.
    expect(await sync(sourceId)).toMatchObject({ status: 'completed', counters: { stored: 0 } });
    const events = await ingested(sourceId);
    expect(events).toHaveLength(7);
    expect(Math.max(...events.map((e) => e.n))).toBe(1);
    expect(await deletions(sourceId)).toBe(1);
    expect(await sourceOf(sourceId)).toMatchObject({ syncStatus: 'success', syncError: null });
  });

  it('a history id Google no longer has (404) syncs the mailbox again in full, fetching and storing only what is new', async () => {
    const { email, account } = await linkMailbox();
    fill(email);
    const sourceId = (await createSource(account).expect(201)).body.id as string;
    expect(await sync(sourceId)).toMatchObject({ status: 'completed', counters: { stored: 5 } });
    gmail.expireHistory(email);
    const fresh = gmail.deliver(email, plain('After the gap', 'Sent while the history expired.').raw, { labelIds: ['INBOX'] });
    const from = gmail.requests.length;
    const resync = await sync(sourceId);
    expect(resync).toMatchObject({ status: 'completed', counters: { stored: 1 } });
    expect(gmail.calls('history', from)[0].status).toBe(404);
    expect(gmail.calls('messages.list', from)).toHaveLength(1);
    // Stored messages are skipped without a fetch (the draft is fetched again: it was never stored).
    expect(gmail.calls('messages.get', from).map((r) => r.path.split('/').pop())).toContain(fresh.id);
    expect(gmail.calls('messages.get', from)).toHaveLength(2);
    const events = await ingested(sourceId);
    expect(events).toHaveLength(6);
    expect(Math.max(...events.map((e) => e.n))).toBe(1);
    expect((await watermark(sourceId)).cursor_id).toBe(String(gmail.mailbox(email).historyId));
  });

  it('retries quota refusals with backoff: 429 (Retry-After), 403 rateLimitExceeded and userRateLimitExceeded; a daily quota spent fails the run saying so', async () => {
    const { email, account } = await linkMailbox();
    fill(email);
    const sourceId = (await createSource(account).expect(201)).body.id as string;
    gmail.quota((r) => r.path.endsWith('/messages'), '429', { retryAfter: '1' });
    gmail.quota((r) => /\/messages\/[^/]+$/.test(r.path), '403', { times: 2 });
    gmail.quota((r) => r.path.endsWith('/history'), '403-user');
    const from = gmail.requests.length;
    expect(await sync(sourceId)).toMatchObject({ status: 'completed', counters: { stored: 5 } });
    const lists = gmail.calls('messages.list', from);
    expect(lists.map((r) => r.status)).toEqual([429, 200]);
    expect(lists[1].at - lists[0].at).toBeGreaterThanOrEqual(1000);
    expect(gmail.calls('messages.get', from).filter((r) => r.status === 403)).toHaveLength(2);
    expect(gmail.calls('messages.get', from).filter((r) => r.status === 200)).toHaveLength(6);
    expect(gmail.calls('history', from).map((r) => r.status)).toEqual([403, 200]);
    expect(Math.max(...(await ingested(sourceId)).map((e) => e.n))).toBe(1);

    gmail.deliver(email, plain('Quota day', 'one more').raw);
    gmail.fail({ when: (r) => r.path.endsWith('/history'), status: 403, body: { error: { code: 403, message: 'Daily Limit Exceeded. secret-detail-xyz', errors: [{ reason: 'dailyLimitExceeded', domain: 'usageLimits', message: 'Daily Limit Exceeded' }] } } });
    const spent = await sync(sourceId);
    expect(spent).toMatchObject({ status: 'failed' });
    // What to do first (the failure's code: quota), then what happened.
    expect(spent.error).toMatch(/^Wait for the Google quota: .* What happened: Gmail's quota is spent for now \(dailyLimitExceeded\): the sync stopped after 1 attempt; the next run resumes from the watermark$/);
    expect(spent.error).not.toContain('secret-detail');
    expect(await sync(sourceId)).toMatchObject({ status: 'completed', counters: { stored: 1 } });
  });

  it('a refused token (401) is refreshed once through identity; refused again, the job and the source say to reconnect, without Google\'s words', async () => {
    const { email, account } = await linkMailbox();
    fill(email);
    const sourceId = (await createSource(account).expect(201)).body.id as string;
    const tokens = app.get(OAuthAccessTokens);
    // A refresh that works: the new token is used and the sync completes.
    const renewed = `ya29.${randomBytes(16).toString('hex')}`;
    gmail.revoke(account.accessToken);
    gmail.grant(renewed, email);
    const refresh = jest.spyOn(tokens, 'refreshAfterRejection').mockImplementation(async (id) => ({ ...(await tokens.accessFor(id)), accessToken: renewed }));
    const start = gmail.requests.length;
    expect(await sync(sourceId)).toMatchObject({ status: 'completed', counters: { stored: 5 } });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledWith(account.id, account.accessToken);
    expect(gmail.since(start)[0]).toMatchObject({ status: 401 });
    refresh.mockRestore();

    // Identity's refresh refuses (the stored tokens: reconnect_required): the run fails, saying to reconnect.
    gmail.revoke(renewed);
    gmail.deliver(email, plain('New', 'after revocation').raw);
    const spy = jest.spyOn(tokens, 'refreshAfterRejection');
    const failed = await sync(sourceId);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Reconnect the Google account/) });
    expect(failed.error).toContain(`What happened: ${GMAIL_RECONNECT}`);
    expect(await sourceOf(sourceId)).toMatchObject({ syncStatus: 'error', syncErrorCode: 'reconnect', syncError: failed.error });
    expect(JSON.stringify(failed)).not.toMatch(/invalid authentication credentials|UNAUTHENTICATED/);

    // A refresh that gives a token Google refuses too: one refresh, then reconnect.
    spy.mockClear().mockImplementation(async (id) => ({ ...(await tokens.accessFor(id)), accessToken: 'ya29.also-refused' }));
    const from = gmail.requests.length;
    expect(await sync(sourceId)).toMatchObject({ status: 'failed', error: expect.stringContaining(`What happened: ${GMAIL_RECONNECT}`) });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(gmail.since(from).map((r) => r.status)).toEqual([401, 401]);
  });

  it('a token without Gmail read access: refused before any call when its scopes are known, and on Google\'s 403 insufficientPermissions otherwise', async () => {
    const known = await linkMailbox(owner, 'openid email');
    const s1 = (await createSource(known.account).expect(201)).body.id as string;
    const from = gmail.requests.length;
    const refused = await sync(s1);
    expect(refused).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Grant the missing permissions/) });
    expect(refused.error).toContain(`What happened: ${GMAIL_PERMISSIONS}`);
    expect(gmail.since(from)).toEqual([]);

    const unknown = await linkMailbox(owner, undefined, ['openid', 'email']);
    const s2 = (await createSource(unknown.account).expect(201)).body.id as string;
    const failed = await sync(s2);
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Grant the missing permissions/) });
    expect(failed.error).toContain(`What happened: ${GMAIL_PERMISSIONS}`);
    expect(gmail.since(from).map((r) => r.status)).toEqual([403]);
    expect(JSON.stringify(failed)).not.toContain('insufficient authentication scopes');
  });

  it('stopped mid-backfill (the process killed), resumes at the saved page token: nothing fetched or stored twice', async () => {
    const { email, account } = await linkMailbox();
    fill(email);
    for (let i = 0; i < 4; i++) gmail.deliver(email, plain(`Batch ${i}`, `message ${i}`).raw, { labelIds: ['INBOX'], internalDate: Date.now() - (10 + i) * DAY });
    const sourceId = (await createSource(account, { pageSize: 2 }).expect(201)).body.id as string;
    const row = (await pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [sourceId])).rows[0];
    const source: PullSource = { id: row.id, workspaceId: row.workspace_id, kind: 'gmail', credentialsCiphertext: row.credentials_ciphertext, config: row.config };
    const net = app.get(ConnectorHttp);
    const deps: SyncRunnerDeps = {
      pool,
      writer: app.get(MessageWriter),
      aggregates: app.get(IngestionAggregates),
      credentials: app.get(SourceCredentials),
      http: net.options(),
      oauthTokens: app.get(OAuthAccessTokens),
      gmailApiBase: net.gmailApiBase,
    };
    // The third list page never answers: the run is stopped while it waits (as a kill would).
    let lists = 0;
    const held = gmail.hold((r) => r.path.endsWith('/messages') && ++lists === 3);
    const controller = new AbortController();
    const run = new GmailSyncRunner(deps).run(source, { meta: { commandId: uuidv7(), workspaceId: ws, actorId: null, correlationId: uuidv7(), now: new Date() }, signal: controller.signal });
    const waiting = await held.reached;
    // The third page is listed while the second is stored: stopped once that one is.
    await eventually(async () => (await watermark(sourceId))?.meta?.backfill?.pageToken === waiting.query.pageToken, 30_000, 50);
    controller.abort(new Error('killed'));
    held.release();
    expect(await run).toMatchObject({ status: 'failed', error: 'interrupted: killed; the next run resumes from the watermark', stored: 3 });
    const mark = await watermark(sourceId);
    expect(mark).toMatchObject({ cursor_id: null, meta: { backfill: { walk: 0, pageToken: waiting.query.pageToken, historyId: expect.any(String) } } });
    const fetchedBefore = new Set(gmail.calls('messages.get').map((r) => r.path.split('/').pop()));

    const from = gmail.requests.length;
    const resumed = await sync(sourceId);
    expect(resumed).toMatchObject({ status: 'completed', counters: { stored: 6 } });
    const resumedLists = gmail.calls('messages.list', from);
    expect(resumedLists[0].query.pageToken).toBe(waiting.query.pageToken);
    expect(resumedLists[0].query.q).toBe(waiting.query.q);
    expect(gmail.calls('profile', from)).toHaveLength(0);
    expect(gmail.calls('messages.get', from).some((r) => fetchedBefore.has(r.path.split('/').pop()!))).toBe(false);
    const events = await ingested(sourceId);
    expect(events).toHaveLength(9);
    expect(Math.max(...events.map((e) => e.n))).toBe(1);
    expect((await watermark(sourceId)).cursor_id).toBe(mark.meta.backfill.historyId);
  });

  itPg('resumes at the saved page token after kill -9 of the syncing process; the killed job is failed as abandoned', async () => {
    const { email, account } = await linkMailbox();
    fill(email);
    for (let i = 0; i < 4; i++) gmail.deliver(email, plain(`Batch ${i}`, `message ${i}`).raw, { labelIds: ['INBOX'], internalDate: Date.now() - (10 + i) * DAY });
    const sourceId = (await createSource(account, { pageSize: 2 }).expect(201)).body.id as string;
    let lists = 0;
    const held = gmail.hold((r) => r.path.endsWith('/messages') && ++lists === 3);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pull-sync-process.ts', dbUrl!, sourceId, KEYS], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GMAIL_API_BASE_URL: gmail.apiBase },
    });
    children.push(child);
    const out: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    const waiting = await Promise.race([held.reached, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`the child did not get there: ${out.join('')}`)), 60_000).unref())]);
    // The third page is listed while the second is stored: killed once that one is.
    await eventually(async () => (await watermark(sourceId))?.meta?.backfill?.pageToken === waiting.query.pageToken, 30_000, 50);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    held.release();
    const killedJob = /JOB (\S+)/.exec(out.join(''))![1];
    const job = async (id: string) => (await http().get(`/api/v1/workspaces/${ws}/jobs/${id}`).set(owner.auth).expect(200)).body;
    expect(await job(killedJob)).toMatchObject({ status: 'running' });
    expect(await watermark(sourceId)).toMatchObject({ cursor_id: null, meta: { backfill: { pageToken: waiting.query.pageToken } } });
    expect(await rows(sourceId)).toHaveLength(3);

    const from = gmail.requests.length;
    expect(await sync(sourceId)).toMatchObject({ status: 'completed', counters: { stored: 6 } });
    expect(gmail.calls('messages.list', from)[0].query.pageToken).toBe(waiting.query.pageToken);
    const events = await ingested(sourceId);
    expect(events).toHaveLength(9);
    expect(Math.max(...events.map((e) => e.n))).toBe(1);
    expect(await job(killedJob)).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ errors: [expect.objectContaining({ message: expect.stringMatching(/abandoned/) })] })] });
  }, 120_000);

  it('only the user who linked a Google account may name it: another user\'s, an unknown or a non-Google account is refused (422), nothing saved', async () => {
    const bob = await signUp(app);
    const bobs = await linkMailbox(bob);
    const github = await linkOAuthAccount(app, owner, { provider: 'github' });
    const count = async () => Number((await pool.query(`SELECT count(*) FROM ingestion_sources_view WHERE workspace_id = $1`, [ws])).rows[0].count);
    const before = await count();
    for (const account of [bobs.account, github, { ...github, id: uuidv7() }]) {
      const res = await createSource(account as LinkedOAuthAccount).expect(422);
      expect(res.body).toMatchObject({ code: 'INGESTION.LINKED_ACCOUNT_REFUSED' });
      expect(res.body.detail).toMatch(/oauthAccountId must name a Google account you linked yourself/);
    }
    const bad = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'gmail', name: 'no account', config: { backfillDays: 0 } }).expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/config\.oauthAccountId/);
    expect(JSON.stringify(bad.body)).toMatch(/config\.backfillDays/);
    // Source credentials are not a way in: the token stays with identity.
    await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'gmail', name: 'tokens', credentials: { accessToken: 'ya29.x' }, config: {} }).expect(400);
    expect(await count()).toBe(before);
    // Nor by changing an existing source to name it.
    const mine = await linkMailbox();
    const sourceId = (await createSource(mine.account).expect(201)).body.id as string;
    const patched = await http().patch(`/api/v1/workspaces/${ws}/sources/${sourceId}`).set(owner.auth).send({ config: { oauthAccountId: bobs.account.id } }).expect(422);
    expect(patched.body.code).toBe('INGESTION.LINKED_ACCOUNT_REFUSED');
    expect((await sourceOf(sourceId)).config).toEqual({ oauthAccountId: mine.account.id });
  });

  it('the scheduled run syncs gmail sources, which have no credentials of their own', async () => {
    const { email, account } = await linkMailbox();
    fill(email);
    const sourceId = (await createSource(account).expect(201)).body.id as string;
    const result = await app.get(PullSyncService).syncAll(uuidv7());
    expect(result.meta.completed).toContain(sourceId);
    expect(Number((await pool.query(`SELECT count(*) FROM ingestion_messages_view WHERE source_id = $1`, [sourceId])).rows[0].count)).toBe(5);
    // No token in any log line.
    expect(logLines.join('\n')).not.toContain(account.accessToken);
  });
});
