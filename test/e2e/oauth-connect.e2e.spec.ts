import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { loadAppConfig } from '@app/config/app-config';
import { OutboundGuard } from '@libs/common/net/outbound-guard';
import { LeaseManager } from '@libs/database/coordination/coordination.port';
import { OAuthAccessError, OAuthAccessTokens } from '@modules/identity/contracts/oauth-access-tokens';
import { OAuthProviders } from '@modules/identity/infrastructure/oauth-providers';
import { OAuthStateSigner } from '@modules/identity/infrastructure/oauth-state';
import { OAuthTokenVault } from '@modules/identity/infrastructure/oauth-token-vault';
import { PlatformSecrets } from '@modules/identity/infrastructure/platform-secrets';
import { eventually } from '@test/support/eventually';
import { FakeOAuthProvider, FakeProvider } from '@test/support/fake-oauth-provider';
import { createWorkspace, signUp, SignedUp, signUpVerified } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
const CALLBACK_BASE = 'https://ci.example.test';
const APP_ORIGIN = 'https://app.example.test';
// Passport's JWT strategy is process-global: every app of this file signs with the same key.
const JWT_SECRET = 'oauth-connect-e2e-jwt-secret-0123456789abcdef';

describe('OAuth connect flows: Google, Microsoft, Slack (e2e)', () => {
  const fake = new FakeOAuthProvider();
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let ada: SignedUp;
  let ben: SignedUp;
  let ws: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    await fake.start();
    testApp = await createTestApp({
      env: { JWT_SECRET, SECRETS_KEYS: KEYS, CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', OAUTH_CALLBACK_BASE_URL: CALLBACK_BASE, OAUTH_APP_ORIGIN: APP_ORIGIN, ...fake.env() },
    });
    ({ app, pool } = testApp);
    ada = await signUp(app);
    ben = await signUp(app);
    ws = await createWorkspace(app, ada);
  }, 120_000);
  afterAll(async () => {
    await testApp?.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.accessTtlSeconds = 3599;
    fake.tokenDelayMs = 0;
  });

  const connect = (provider: string, body: Record<string, unknown> = {}, user = ada, workspaceId = ws) =>
    http().post(`/api/v1/workspaces/${workspaceId}/oauth/${provider}/connect`).set(user.auth).send(body);
  const callback = (provider: string, query: Record<string, string | undefined>, auth?: Record<string, string>) => {
    const req = http().get(`/api/v1/oauth/${provider}/callback`).query(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));
    return auth ? req.set(auth) : req;
  };
  const problem = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };
  /** Connect, consent at the fake as `subject`, come back: the callback's answer. */
  const link = async (provider: FakeProvider, subject = `user-${uuidv7()}`, body: Record<string, unknown> = {}) => {
    const started = await connect(provider, body).expect(200);
    const back = fake.authorize(started.body.authorizationUrl, subject);
    const res = await callback(provider, back);
    return { res, subject, state: back.state, code: back.code };
  };

  it('Google: the consent URL carries PKCE S256, a signed state and offline access; the callback links the account with its tokens sealed and its scopes recorded', async () => {
    const started = await connect('google').expect(200);
    const url = new URL(started.body.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(fake.env().GOOGLE_OAUTH_AUTHORIZATION_URL);
    const q = url.searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('redirect_uri')).toBe(`${CALLBACK_BASE}/api/v1/oauth/google/callback`);
    expect(q.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'email', 'profile', 'https://www.googleapis.com/auth/gmail.readonly']));
    expect(Date.parse(started.body.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    // The verifier stays server-side, sealed: neither the URL nor the row holds it in clear.
    const attempt = (await pool.query(`SELECT verifier_ciphertext FROM identity_oauth_connect_attempts WHERE user_id = $1`, [ada.userId])).rows;
    expect(attempt).toHaveLength(1);
    expect(attempt[0].verifier_ciphertext).toMatch(/^v1\./);

    const subject = `google-sub-${uuidv7()}`;
    const codes = fake.grants.google.authorization_code;
    const back = fake.authorize(started.body.authorizationUrl, subject);
    const res = await callback('google', back).expect(200);
    expect(res.body).toEqual({ accountId: expect.any(String), provider: 'google', scopes: expect.arrayContaining(['openid', 'https://www.googleapis.com/auth/gmail.readonly']) });
    expect(fake.grants.google.authorization_code).toBe(codes + 1);

    const list = (await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items;
    const account = list.find((a: { id: string }) => a.id === res.body.accountId);
    expect(account).toMatchObject({ provider: 'google', providerAccountId: subject, hasRefreshToken: true, hasIdToken: true, tokenType: 'bearer' });
    expect(account.scope).toContain('gmail.readonly');
    expect(Date.parse(account.expiresAt)).toBeGreaterThan(Date.now() + 50 * 60_000);

    // Sealed at rest: neither the read model nor the log holds a token in clear.
    const clear = (await app.get(OAuthTokenVault).tokensFor(res.body.accountId))!;
    expect(fake.isAccessTokenValid(clear.accessToken)).toBe(true);
    const row = JSON.stringify((await pool.query(`SELECT * FROM identity_oauth_accounts_view WHERE id = $1`, [res.body.accountId])).rows[0]);
    const events = JSON.stringify((await pool.query(`SELECT payload FROM events WHERE stream_id LIKE $1`, [`%${res.body.accountId}%`])).rows);
    expect(events.length).toBeGreaterThan(10);
    for (const secret of [clear.accessToken, clear.refreshToken!, clear.idToken!]) {
      expect(row).not.toContain(secret);
      expect(events).not.toContain(secret);
      expect(JSON.stringify(list)).not.toContain(secret);
    }
    // The attempt is spent.
    expect((await pool.query(`SELECT 1 FROM identity_oauth_connect_attempts WHERE user_id = $1`, [ada.userId])).rowCount).toBe(0);

    // A replayed state (the same callback URL again) is refused, and exchanges nothing.
    problem(await callback('google', back), 409, 'IDENTITY.OAUTH_STATE_USED');
    expect(fake.grants.google.authorization_code).toBe(codes + 1);
  });

  it('connecting the same account again lands on the same account and replaces its tokens', async () => {
    const subject = `again-${uuidv7()}`;
    const first = await link('google', subject);
    const vault = app.get(OAuthTokenVault);
    const before = (await vault.tokensFor(first.res.body.accountId))!;
    const count = (await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items.length;
    const second = await link('google', subject);
    expect(second.res.status).toBe(200);
    expect(second.res.body.accountId).toBe(first.res.body.accountId);
    const after = (await vault.tokensFor(first.res.body.accountId))!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items.length).toBe(count);
    // Someone else consenting with the same provider account cannot take it.
    const started = await connect('google', {}, ben, await createWorkspace(app, ben)).expect(200);
    const taken = await callback('google', fake.authorize(started.body.authorizationUrl, subject));
    problem(taken, 409, 'IDENTITY.OAUTH_ACCOUNT_TAKEN');
  });

  it('refuses a tampered state, an expired one, one of another provider, and none', async () => {
    const started = await connect('google').expect(200);
    const back = fake.authorize(started.body.authorizationUrl, 'tamper');
    const [payload, mac] = back.state.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, u: ben.userId })).toString('base64url')}.${mac}`;
    problem(await callback('google', { ...back, state: forged }), 400, 'IDENTITY.OAUTH_STATE_INVALID');
    problem(await callback('google', { ...back, state: `${payload}.${mac.slice(0, -2)}AA` }), 400, 'IDENTITY.OAUTH_STATE_INVALID');
    problem(await callback('microsoft', back), 400, 'IDENTITY.OAUTH_STATE_INVALID');
    problem(await callback('google', { code: back.code }), 400, 'IDENTITY.OAUTH_STATE_INVALID');

    // Signed with the platform key but past its 10 minutes.
    const key = await app.get(PlatformSecrets).getOrCreate('oauth-state');
    const past = new OAuthStateSigner(key, () => new Date(Date.now() - 11 * 60_000));
    const expired = past.sign({ attemptId: claims.a, userId: claims.u, workspaceId: claims.w, provider: 'google', expiresAt: Math.floor((Date.now() - 60_000) / 1000) });
    problem(await callback('google', { ...back, state: expired }), 400, 'IDENTITY.OAUTH_STATE_EXPIRED');

    // None of these spent the attempt: the genuine callback still links.
    expect(fake.grants.google.authorization_code).toBeGreaterThan(0);
    await callback('google', back).expect(200);
  });

  it('a connect is a person\'s: an API key (acting for no one) and a viewer are refused with problem+json, nothing is started', async () => {
    const key = (await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(ada.auth).send({ name: 'automation', role: 'admin' }).expect(201)).body.key as string;
    const before = (await pool.query(`SELECT count(*)::int AS n FROM identity_oauth_connect_attempts`)).rows[0].n;
    const byKey = await http().post(`/api/v1/workspaces/${ws}/oauth/google/connect`).set('X-API-Key', key).send({});
    expect(byKey.status).toBeGreaterThanOrEqual(400);
    expect(byKey.status).toBeLessThan(500);
    expect(byKey.headers['content-type']).toMatch(/application\/problem\+json/);
    const viewer = await signUpVerified(app);
    await http().post(`/api/v1/workspaces/${ws}/members`).set(ada.auth).send({ email: viewer.email, role: 'viewer' }).expect(201);
    const byViewer = await connect('google', {}, viewer);
    expect(byViewer.status).toBe(403);
    expect(byViewer.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await pool.query(`SELECT count(*)::int AS n FROM identity_oauth_connect_attempts`)).rows[0].n).toBe(before);
  });

  it("another user's state cannot link an account for them", async () => {
    const started = await connect('google').expect(200);
    const back = fake.authorize(started.body.authorizationUrl, `victim-${uuidv7()}`);
    problem(await callback('google', back, ben.auth), 403, 'IDENTITY.OAUTH_STATE_OTHER_USER');
    expect((await http().get('/api/v1/me/oauth-accounts').set(ben.auth).expect(200)).body.items).toEqual([]);
    // Ben cannot start a flow in a workspace he is not a member of either.
    expect((await connect('google', {}, ben)).status).toBe(404);
    // Ada's own browser completes it.
    const res = await callback('google', back).expect(200);
    expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items.map((a: { id: string }) => a.id)).toContain(res.body.accountId);
  });

  it('a declined consent and a code the provider refuses are 4xx problems that say so, without the provider body; nothing is linked', async () => {
    const before = (await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items.length;
    const started = await connect('google').expect(200);
    const denied = fake.authorize(started.body.authorizationUrl, 'nobody', { deny: true });
    const res = await callback('google', denied);
    problem(res, 403, 'IDENTITY.OAUTH_AUTHORIZATION_DENIED');
    expect(res.body.detail).toMatch(/declined/);

    const again = await connect('google').expect(200);
    const back = fake.authorize(again.body.authorizationUrl, 'bad-code');
    const rejected = await callback('google', { ...back, code: `${back.code}x` });
    problem(rejected, 400, 'IDENTITY.OAUTH_CODE_REJECTED');
    expect(rejected.body.oauthError).toBe('invalid_grant');
    expect(JSON.stringify(rejected.body)).not.toContain('Malformed auth code');

    // The token endpoint down: 502, a message of ours, and the user starts again.
    const third = await connect('microsoft').expect(200);
    fake.failTokenEndpoint.microsoft = 1;
    const down = await callback('microsoft', fake.authorize(third.body.authorizationUrl, 'down'));
    problem(down, 502, 'IDENTITY.OAUTH_PROVIDER_UNAVAILABLE');
    expect(JSON.stringify(down.body)).not.toContain('AADSTS');
    expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items.length).toBe(before);
  });

  it('returnTo: a relative path or the app origin gets a 303 with ?connected=<id>; anything else is refused at connect', async () => {
    const { res } = await link('google', `ret-${uuidv7()}`, { returnTo: '/settings/accounts?tab=mail' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location, 'http://relative.invalid');
    expect(location.origin).toBe('http://relative.invalid');
    expect(location.pathname).toBe('/settings/accounts');
    expect(location.searchParams.get('tab')).toBe('mail');
    expect(location.searchParams.get('connected')).toMatch(/^[0-9a-f-]{36}$/);
    const absolute = await link('microsoft', `ret-${uuidv7()}`, { returnTo: `${APP_ORIGIN}/done` });
    expect(absolute.res.status).toBe(303);
    expect(absolute.res.headers.location).toMatch(new RegExp(`^${APP_ORIGIN}/done\\?connected=`));
    for (const returnTo of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', `${APP_ORIGIN.replace('https', 'http')}/x`]) {
      problem(await connect('google', { returnTo }), 400, 'IDENTITY.OAUTH_RETURN_TO_NOT_ALLOWED');
    }
  });

  it('Microsoft: the account is the id_token oid (issuer of the user tenant); Slack: the team and authed user, with user scopes', async () => {
    const ms = await link('microsoft', `oid-${uuidv7()}`);
    expect(ms.res.status).toBe(200);
    expect(ms.res.body.scopes).toEqual(expect.arrayContaining(['offline_access', 'Mail.Read', 'User.Read']));
    const started = await connect('slack').expect(200);
    const q = new URL(started.body.authorizationUrl).searchParams;
    expect(q.get('user_scope')!.split(',')).toEqual(['channels:history', 'channels:read', 'groups:history', 'users:read']);
    expect(q.get('code_challenge_method')).toBe('S256');
    const back = fake.authorize(started.body.authorizationUrl, 'U0FAKEUSER');
    const slack = await callback('slack', back).expect(200);
    expect(slack.body.scopes).toEqual(['channels:history', 'channels:read', 'groups:history', 'users:read']);
    const items = (await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items;
    expect(items.find((a: { id: string }) => a.id === ms.res.body.accountId)).toMatchObject({ provider: 'microsoft', providerAccountId: ms.subject });
    expect(items.find((a: { id: string }) => a.id === slack.body.accountId)).toMatchObject({ provider: 'slack', providerAccountId: `${fake.slackTeam.id}:U0FAKEUSER`, tokenType: 'user' });
  });

  it('an unknown provider is 404; one without a client id is "not configured" (409)', async () => {
    problem(await connect('github'), 404, 'IDENTITY.OAUTH_PROVIDER_UNKNOWN');
    // An app with Google only: connecting Slack says it is not configured, and names nothing secret.
    const only = await createTestApp({ env: { JWT_SECRET, SECRETS_KEYS: KEYS, OAUTH_CALLBACK_BASE_URL: CALLBACK_BASE, GOOGLE_OAUTH_CLIENT_ID: 'gid', GOOGLE_OAUTH_CLIENT_SECRET: 'google-secret-value' } });
    try {
      const u = await signUp(only.app);
      const w = await createWorkspace(only.app, u);
      const res = await only.http().post(`/api/v1/workspaces/${w}/oauth/slack/connect`).set(u.auth).send({});
      problem(res, 409, 'IDENTITY.OAUTH_PROVIDER_NOT_CONFIGURED');
      expect(res.body.detail).toMatch(/slack is not configured/i);
      const ok = await only.http().post(`/api/v1/workspaces/${w}/oauth/google/connect`).set(u.auth).send({}).expect(200);
      expect(JSON.stringify(ok.body)).not.toContain('google-secret-value');
    } finally {
      await only.close();
    }
    const google = { GOOGLE_OAUTH_CLIENT_ID: 'only-google', GOOGLE_OAUTH_CLIENT_SECRET: 's' };
    const providers = new OAuthProviders(loadAppConfig({ OAUTH_CALLBACK_BASE_URL: CALLBACK_BASE, ...google }), new OutboundGuard());
    expect([providers.configured('google'), providers.configured('microsoft'), providers.configured('slack')]).toEqual([true, false, false]);
    // No public callback base URL: nothing can be connected.
    expect(new OAuthProviders(loadAppConfig(google), new OutboundGuard()).configured('google')).toBe(false);
    // An id without its secret stops the start-up, naming the variable.
    expect(() => loadAppConfig({ SLACK_OAUTH_CLIENT_ID: 'x' })).toThrow(/SLACK_OAUTH_CLIENT_SECRET: required with SLACK_OAUTH_CLIENT_ID/);
  });

  describe('refresh', () => {
    it('two syncs asking at once for an expired token refresh it once and both get the new one', async () => {
      fake.accessTtlSeconds = 30; // within the minute of slack: stale at once
      const { res } = await link('google', `refresh-${uuidv7()}`);
      const id = res.body.accountId;
      const tokens = app.get(OAuthAccessTokens);
      const old = (await app.get(OAuthTokenVault).tokensFor(id))!;
      fake.accessTtlSeconds = 3599;
      fake.tokenDelayMs = 300;
      const refreshes = fake.grants.google.refresh_token;
      const [a, b] = await Promise.all([tokens.accessFor(id), tokens.accessFor(id)]);
      expect(fake.grants.google.refresh_token).toBe(refreshes + 1);
      expect(a.accessToken).toBe(b.accessToken);
      expect(a.accessToken).not.toBe(old.accessToken);
      expect(fake.isAccessTokenValid(a.accessToken)).toBe(true);
      expect(a.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
      // Recorded (sealed): the next caller reads it without a refresh.
      expect((await tokens.accessFor(id)).accessToken).toBe(a.accessToken);
      const row = (await pool.query(`SELECT access_token_ciphertext FROM identity_oauth_accounts_view WHERE id = $1`, [id])).rows[0];
      expect(row.access_token_ciphertext).toMatch(/^v1\./);
      expect(row.access_token_ciphertext).not.toContain(a.accessToken);
      // A 401 on a token someone already replaced gets the replacement, without a refresh.
      expect((await tokens.refreshAfterRejection(id, old.accessToken)).accessToken).toBe(a.accessToken);
      // A 401 on the current one refreshes.
      const c = await tokens.refreshAfterRejection(id, a.accessToken);
      expect(c.accessToken).not.toBe(a.accessToken);
      expect(fake.grants.google.refresh_token).toBe(refreshes + 2);
    });

    // Two app processes on one database is the PostgreSQL mode (the embedded one is single-process).
    (process.env.TEST_DATABASE_URL ? it : it.skip)('two processes refreshing the same account at once: one refresh grant (the lease), both get the new token', async () => {
      fake.accessTtlSeconds = 30;
      const { res } = await link('microsoft', `two-${uuidv7()}`);
      fake.accessTtlSeconds = 3599;
      fake.tokenDelayMs = 300;
      const second = await createTestApp({
        database: { db: testApp!.db, env: { DATABASE_URL: testApp!.db!.url, DATA_DIR: 'memory://' }, close: async () => undefined },
        env: { JWT_SECRET, SECRETS_KEYS: KEYS, CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', OAUTH_CALLBACK_BASE_URL: CALLBACK_BASE, RUN_SUBSCRIPTIONS: 'false', ...fake.env() },
      });
      // A lease holder is an OS process (its holder id): the second app plays another process.
      Object.defineProperty(second.app.get(LeaseManager), 'holderId', { value: `proc-second-${uuidv7()}` });
      try {
        const refreshes = fake.grants.microsoft.refresh_token;
        const [a, b, c] = await Promise.all([
          app.get(OAuthAccessTokens).accessFor(res.body.accountId),
          second.app.get(OAuthAccessTokens).accessFor(res.body.accountId),
          second.app.get(OAuthAccessTokens).accessFor(res.body.accountId),
        ]);
        // Microsoft rotates the refresh token: a second refresh with the old one would have been refused.
        expect(fake.grants.microsoft.refresh_token).toBe(refreshes + 1);
        expect(new Set([a.accessToken, b.accessToken, c.accessToken]).size).toBe(1);
        expect(fake.isAccessTokenValid(a.accessToken)).toBe(true);
      } finally {
        await second.close();
      }
    });

    it('a rotated refresh token (Microsoft) replaces the stored one', async () => {
      fake.accessTtlSeconds = 30;
      const { res } = await link('microsoft', `rotate-${uuidv7()}`);
      const vault = app.get(OAuthTokenVault);
      const before = (await vault.tokensFor(res.body.accountId))!;
      await app.get(OAuthAccessTokens).accessFor(res.body.accountId);
      const after = (await vault.tokensFor(res.body.accountId))!;
      expect(after.refreshToken).not.toBe(before.refreshToken);
      // The old one no longer works at the provider; the new one does.
      expect(after.accessToken).not.toBe(before.accessToken);
    });

    it('a refusal (invalid_grant) asks to reconnect; a provider down is provider_unavailable', async () => {
      fake.accessTtlSeconds = 30;
      const revoked = await link('google', `revoked-${uuidv7()}`);
      fake.revokeSubject(revoked.subject);
      const tokens = app.get(OAuthAccessTokens);
      const err = await tokens.accessFor(revoked.res.body.accountId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OAuthAccessError);
      expect((err as OAuthAccessError).problem).toBe('reconnect_required');
      expect((err as OAuthAccessError).message).toMatch(/invalid_grant/);

      const down = await link('slack', `UDOWN${Date.now()}`);
      fake.failTokenEndpoint.slack = 10;
      const err2 = await tokens.accessFor(down.res.body.accountId).catch((e: unknown) => e);
      expect((err2 as OAuthAccessError).problem).toBe('provider_unavailable');
      fake.failTokenEndpoint.slack = 0;
      // Back up: the same account refreshes.
      expect((await tokens.accessFor(down.res.body.accountId)).accessToken).toMatch(/^xoxe\.xoxp-1-/);
      await expect(tokens.accessFor(uuidv7())).rejects.toMatchObject({ problem: 'not_linked' });
    });
  });

  describe('disconnect', () => {
    it('revokes at Google, unlinks, and deactivates every source reading the account', async () => {
      const { res } = await link('google', `bye-${uuidv7()}`);
      const id = res.body.accountId;
      const clear = (await app.get(OAuthTokenVault).tokensFor(id))!;
      const source = await http()
        .post(`/api/v1/workspaces/${ws}/sources`)
        .set(ada.auth)
        .send({ kind: 'gmail', name: `Gmail ${id.slice(-6)}`, config: { oauthAccountId: id } })
        .expect(201);
      // A source reading another of her Google accounts goes on.
      const second = (await link('google', `stay-${uuidv7()}`)).res.body.accountId;
      const other = await http().post(`/api/v1/workspaces/${ws}/sources`).set(ada.auth).send({ kind: 'gmail', name: `Other ${id.slice(-6)}`, config: { oauthAccountId: second } }).expect(201);

      const answer = await http().delete(`/api/v1/me/oauth-accounts/${id}`).set(ada.auth).expect(200);
      expect(answer.body).toEqual({ revoked: true, revocation: 'revoked' });
      expect(fake.revocations.at(-1)).toEqual({ provider: 'google', token: clear.refreshToken, ok: true });
      expect(fake.isAccessTokenValid(clear.accessToken)).toBe(false);
      expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items.map((a: { id: string }) => a.id)).not.toContain(id);
      await expect(app.get(OAuthAccessTokens).accessFor(id)).rejects.toMatchObject({ problem: 'not_linked' });
      await eventually(async () => {
        expect((await http().get(`/api/v1/workspaces/${ws}/sources/${source.body.id}`).set(ada.auth).expect(200)).body.active).toBe(false);
      });
      expect((await http().get(`/api/v1/workspaces/${ws}/sources/${other.body.id}`).set(ada.auth).expect(200)).body.active).toBe(true);
    });

    it('Slack is revoked with auth.revoke; Microsoft has no revocation endpoint (revoked: false), and both are unlinked', async () => {
      const slack = await link('slack', `UBYE${Date.now()}`);
      const slackClear = (await app.get(OAuthTokenVault).tokensFor(slack.res.body.accountId))!;
      expect((await http().delete(`/api/v1/me/oauth-accounts/${slack.res.body.accountId}`).set(ada.auth).expect(200)).body).toEqual({ revoked: true, revocation: 'revoked' });
      expect(fake.revocations.at(-1)).toEqual({ provider: 'slack', token: slackClear.accessToken, ok: true });

      const ms = await link('microsoft', `msbye-${uuidv7()}`);
      const revocations = fake.revocations.length;
      expect((await http().delete(`/api/v1/me/oauth-accounts/${ms.res.body.accountId}`).set(ada.auth).expect(200)).body).toEqual({ revoked: false, revocation: 'not_supported' });
      expect(fake.revocations.length).toBe(revocations);
      const ids = (await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items.map((a: { id: string }) => a.id);
      expect(ids).not.toContain(ms.res.body.accountId);
      expect(ids).not.toContain(slack.res.body.accountId);
    });

    it('a revocation that fails at the provider still unlinks, and says so', async () => {
      const { res, subject } = await link('google', `fail-${uuidv7()}`);
      fake.revokeSubject(subject); // the provider already forgot the grant: its revoke answers 400 invalid_token
      expect((await http().delete(`/api/v1/me/oauth-accounts/${res.body.accountId}`).set(ada.auth).expect(200)).body).toEqual({ revoked: false, revocation: 'failed' });
      expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items.map((a: { id: string }) => a.id)).not.toContain(res.body.accountId);
    });
  });
});
