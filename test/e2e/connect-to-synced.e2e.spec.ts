import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { OAuthTokenVault } from '@modules/identity/infrastructure/oauth-token-vault';
import { eventually } from '@test/support/eventually';
import { FakeOAuthProvider } from '@test/support/fake-oauth-provider';
import { FakeGmail } from '@test/support/fakes/gmail.fake';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { syncThroughApi } from '@test/support/pull-sync-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const KEYS = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
const DAY = 86_400_000;

const mail = (subject: string, body: string, n: number) =>
  [
    `Message-ID: <connect-${n}@mail.example>`,
    'From: Dana Scully <dana@customer.example>',
    'To: Ada <ada-mail@gmail.example>',
    `Subject: ${subject}`,
    `Date: ${new Date(Date.now() - (10 - n) * DAY).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');

/**
 * From connect to synced messages, as a user does it, with nothing stubbed in between: Google
 * connected through the OAuth flow (PKCE, the fake provider's consent and token endpoints), a
 * gmail source on the linked account, a sync against the fake Gmail API, which accepts exactly the
 * access tokens the fake provider issued. The access token dies at the provider before its time:
 * the next sync refreshes it once through identity and goes on. Disconnecting stops the source.
 */
describe('connect Google by OAuth, then sync its Gmail (e2e)', () => {
  const oauth = new FakeOAuthProvider();
  const gmail = new FakeGmail();
  let t: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let ada: SignedUp;
  let ws: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    await oauth.start();
    await gmail.start();
    // Google's API takes the tokens Google's OAuth server issued, for the mailbox of their subject.
    gmail.acceptTokensFrom((token) => {
      const a = oauth.accessOf(token);
      return a && a.provider === 'google' ? { email: `${a.subject}@gmail.example`, scopes: a.scopes } : null;
    });
    t = await createTestApp({
      env: {
        SECRETS_KEYS: KEYS,
        CONNECTOR_ALLOWED_HOSTS: '127.0.0.1',
        OAUTH_CALLBACK_BASE_URL: 'https://ci.example.test',
        GMAIL_API_BASE_URL: gmail.apiBase,
        PULL_SYNC_CRON: '0 0 1 1 *',
        ...oauth.env(),
      },
    });
    ({ app, pool } = t);
    ada = await signUp(app);
    ws = await createWorkspace(app, ada);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await gmail.close();
    await oauth.close();
  });

  it('connects, syncs the mailbox, survives a token the provider dropped (one refresh), and stops when disconnected', async () => {
    // Connect: the consent URL, Google's consent as the subject "ada-mail", the callback.
    const started = await http().post(`/api/v1/workspaces/${ws}/oauth/google/connect`).set(ada.auth).send({}).expect(200);
    const back = oauth.authorize(started.body.authorizationUrl, 'ada-mail');
    const linked = await http().get('/api/v1/oauth/google/callback').query({ code: back.code, state: back.state }).expect(200);
    const accountId = linked.body.accountId as string;
    expect(oauth.grants.google.authorization_code).toBe(1);

    const email = 'ada-mail@gmail.example';
    for (let n = 1; n <= 3; n++) gmail.deliver(email, mail(`Renewal question ${n}`, `Can we move the renewal call to Friday? (${n})`, n), { labelIds: ['INBOX'], internalDate: Date.now() - (10 - n) * DAY });

    const source = await http().post(`/api/v1/workspaces/${ws}/sources`).set(ada.auth).send({ kind: 'gmail', name: 'Ada mailbox', config: { oauthAccountId: accountId } }).expect(201);
    const sourceId = source.body.id as string;
    const first = await syncThroughApi(http, { workspaceId: ws, auth: ada.auth, sourceId });
    expect(first).toMatchObject({ status: 'completed', counters: expect.objectContaining({ stored: 3 }) });
    const titles = async () => (await pool.query(`SELECT title FROM ingestion_messages_view WHERE source_id = $1 ORDER BY sent_at`, [sourceId])).rows.map((r) => r.title);
    expect(await titles()).toEqual(['Renewal question 1', 'Renewal question 2', 'Renewal question 3']);
    expect(oauth.grants.google.refresh_token).toBe(0);

    // The provider drops the access token early: Gmail answers 401, identity refreshes once, the sync goes on.
    const before = (await app.get(OAuthTokenVault).tokensFor(accountId))!;
    oauth.expireAccess(before.accessToken);
    gmail.deliver(email, mail('Renewal question 4', 'And the invoice address changed.', 4), { labelIds: ['INBOX'], internalDate: Date.now() - DAY });
    const second = await syncThroughApi(http, { workspaceId: ws, auth: ada.auth, sourceId });
    expect(second).toMatchObject({ status: 'completed', counters: expect.objectContaining({ stored: 1 }) });
    expect(oauth.grants.google.refresh_token).toBe(1);
    const after = (await app.get(OAuthTokenVault).tokensFor(accountId))!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(oauth.isAccessTokenValid(after.accessToken)).toBe(true);
    expect(await titles()).toHaveLength(4);
    // Nothing in clear at rest: the read model holds sealed tokens only.
    const stored = (await pool.query(`SELECT access_token_ciphertext, refresh_token_ciphertext FROM identity_oauth_accounts_view WHERE id = $1`, [accountId])).rows[0];
    expect(JSON.stringify(stored)).not.toContain(after.accessToken);
    expect(stored.access_token_ciphertext).toMatch(/^v1\./);

    // Disconnect: revoked at Google, the source stops, a sync is refused; the messages stay.
    const gone = await http().delete(`/api/v1/me/oauth-accounts/${accountId}`).set(ada.auth).expect(200);
    expect(gone.body).toEqual({ revoked: true, revocation: 'revoked' });
    await eventually(async () => expect((await http().get(`/api/v1/workspaces/${ws}/sources/${sourceId}`).set(ada.auth).expect(200)).body.active).toBe(false));
    const refused = await http().post(`/api/v1/workspaces/${ws}/sources/${sourceId}/sync`).set(ada.auth).send({});
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(await titles()).toHaveLength(4);
  });
});
