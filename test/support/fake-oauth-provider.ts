import { createHash, createSign, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export type FakeProvider = 'google' | 'microsoft' | 'slack';

interface IssuedCode {
  provider: FakeProvider;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  subject: string;
  used: boolean;
}

interface Grant {
  provider: FakeProvider;
  subject: string;
  scope: string;
  refreshToken: string;
  revoked: boolean;
}

export interface FakeClient {
  id: string;
  secret: string;
}

/**
 * One local server that plays Google, Microsoft (identity platform v2.0) and Slack OAuth, as
 * their documentation describes the endpoints and the error answers:
 * - Google: POST /google/token (authorization_code with code_verifier, refresh_token; 400
 *   `{ error: 'invalid_grant', error_description }`, 401 invalid_client), POST /google/revoke
 *   (`token=`; 200, or 400 invalid_token), GET /google/userinfo; the id_token's iss is
 *   https://accounts.google.com, its `sub` the user.
 * - Microsoft: POST /microsoft/<tenant>/oauth2/v2.0/token (AADSTS errors with error_codes,
 *   refresh tokens rotated); the id_token's iss <base>/<tid>/v2.0, `oid` the user. No revocation.
 * - Slack: POST /slack/api/oauth.v2.access (always HTTP 200, `{ ok: false, error }` on a refusal;
 *   the user token under `authed_user`; token rotation: refresh_token grant), POST
 *   /slack/api/auth.revoke (`{ ok, revoked }`).
 * The consent page is simulated by `authorize(url, subject)`: it reads the authorization URL as the
 * provider would and answers the callback query (a code bound to the PKCE challenge, the client
 * and the redirect URI, or `error=access_denied`).
 */
export class FakeOAuthProvider {
  readonly clients: Record<FakeProvider, FakeClient> = {
    google: { id: 'google-client.apps.googleusercontent.com', secret: `GOCSPX-${randomBytes(12).toString('hex')}` },
    microsoft: { id: '3f1c2b7a-0000-4000-8000-00000000c1e7', secret: `ms~${randomBytes(16).toString('hex')}` },
    slack: { id: '1234567890.0987654321', secret: randomBytes(16).toString('hex') },
  };
  /** Seconds an access token lives (Google and Microsoft say 3599). */
  accessTtlSeconds = 3599;
  /** Delay of each token endpoint answer (to hold two refreshes in flight at once). */
  tokenDelayMs = 0;
  /** The next token endpoint answers of a provider are HTTP 503 (counted, not granted). */
  failTokenEndpoint: Partial<Record<FakeProvider, number>> = {};
  readonly grants: Record<FakeProvider, { authorization_code: number; refresh_token: number }> = {
    google: { authorization_code: 0, refresh_token: 0 },
    microsoft: { authorization_code: 0, refresh_token: 0 },
    slack: { authorization_code: 0, refresh_token: 0 },
  };
  readonly revocations: { provider: FakeProvider; token: string; ok: boolean }[] = [];
  readonly microsoftTenantId = '9188040d-6c67-4c5b-b112-36a304b66dad';
  readonly slackTeam = { id: 'T0FAKE123', name: 'Fake Team' };

  private server?: Server;
  private base = '';
  private readonly codes = new Map<string, IssuedCode>();
  private readonly grantsByRefresh = new Map<string, Grant>();
  /** Access token -> its grant (revoking the refresh token revokes its access tokens). */
  private readonly access = new Map<string, Grant>();
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The env that aims the app's OAuth clients at this fake. */
  env(): Record<string, string> {
    return {
      GOOGLE_OAUTH_CLIENT_ID: this.clients.google.id,
      GOOGLE_OAUTH_CLIENT_SECRET: this.clients.google.secret,
      GOOGLE_OAUTH_AUTHORIZATION_URL: `${this.base}/google/authorize`,
      GOOGLE_OAUTH_TOKEN_URL: `${this.base}/google/token`,
      GOOGLE_OAUTH_REVOKE_URL: `${this.base}/google/revoke`,
      GOOGLE_OAUTH_USERINFO_URL: `${this.base}/google/userinfo`,
      MICROSOFT_OAUTH_CLIENT_ID: this.clients.microsoft.id,
      MICROSOFT_OAUTH_CLIENT_SECRET: this.clients.microsoft.secret,
      MICROSOFT_OAUTH_BASE_URL: `${this.base}/microsoft`,
      MICROSOFT_OAUTH_USERINFO_URL: `${this.base}/microsoft/oidc/userinfo`,
      SLACK_OAUTH_CLIENT_ID: this.clients.slack.id,
      SLACK_OAUTH_CLIENT_SECRET: this.clients.slack.secret,
      SLACK_OAUTH_AUTHORIZATION_URL: `${this.base}/slack/oauth/v2/authorize`,
      SLACK_API_BASE_URL: `${this.base}/slack/api`,
    };
  }

  /**
   * The user consents at the provider: the authorization URL is checked as the provider would
   * (its client, PKCE S256) and the callback's query is answered, with a code for `subject` or,
   * when `deny`, `error=access_denied`.
   */
  authorize(authorizationUrl: string, subject: string, opts: { deny?: boolean } = {}): { code?: string; state: string; error?: string } {
    const url = new URL(authorizationUrl);
    const provider: FakeProvider = url.pathname.startsWith('/google') ? 'google' : url.pathname.startsWith('/microsoft') ? 'microsoft' : 'slack';
    const q = url.searchParams;
    const state = q.get('state') ?? '';
    if (q.get('client_id') !== this.clients[provider].id) throw new Error(`fake ${provider}: unknown client_id`);
    if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '')) throw new Error(`fake ${provider}: PKCE S256 required`);
    if (opts.deny) return { error: 'access_denied', state };
    const code = `${provider}-code-${randomBytes(16).toString('hex')}`;
    const scope = provider === 'slack' ? (q.get('user_scope') ?? '') : (q.get('scope') ?? '');
    this.codes.set(code, { provider, clientId: q.get('client_id')!, redirectUri: q.get('redirect_uri') ?? '', challenge: q.get('code_challenge')!, scope, subject, used: false });
    return { code, state };
  }

  /** Revokes every grant of `subject` (the user removed the app at the provider): refreshes then get invalid_grant. */
  revokeSubject(subject: string): void {
    for (const g of this.grantsByRefresh.values()) if (g.subject === subject) g.revoked = true;
  }

  isAccessTokenValid(token: string): boolean {
    const g = this.access.get(token);
    return Boolean(g && !g.revoked);
  }

  /** Whom a live access token acts for, with its scopes: what a resource server (a fake Gmail) asks the provider. */
  accessOf(token: string): { provider: FakeProvider; subject: string; scopes: string[] } | null {
    const g = this.access.get(token);
    return g && !g.revoked ? { provider: g.provider, subject: g.subject, scopes: g.scope.split(' ') } : null;
  }

  /** The access token stops working before its time (the provider's own expiry or a password change): the next call gets a 401. */
  expireAccess(token: string): void {
    this.access.delete(token);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(value));
    };
    if (req.method !== 'POST' && !path.endsWith('userinfo')) return json(405, { error: 'method_not_allowed' });
    if (path === '/google/token') return this.token('google', body, json);
    if (/^\/microsoft\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) return this.token('microsoft', body, json);
    if (path === '/google/revoke') {
      const token = body.get('token') ?? '';
      const g = this.grantsByRefresh.get(token) ?? this.access.get(token);
      const ok = Boolean(g && !g.revoked);
      this.revocations.push({ provider: 'google', token, ok });
      if (!ok) return json(400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
      g!.revoked = true;
      return json(200, {});
    }
    if (path === '/slack/api/oauth.v2.access') return this.slackAccess(body, json);
    if (path === '/slack/api/auth.revoke') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || (body.get('token') ?? '');
      const g = this.access.get(token);
      const ok = Boolean(g && !g.revoked);
      this.revocations.push({ provider: 'slack', token, ok });
      if (!ok) return json(200, { ok: false, error: 'invalid_auth' });
      g!.revoked = true;
      return json(200, { ok: true, revoked: true });
    }
    return json(404, { error: 'not_found' });
  }

  private async token(provider: 'google' | 'microsoft', body: URLSearchParams, json: (s: number, v: unknown) => void): Promise<void> {
    if (this.tokenDelayMs) await new Promise((r) => setTimeout(r, this.tokenDelayMs));
    const grantType = body.get('grant_type');
    if (grantType === 'authorization_code' || grantType === 'refresh_token') this.grants[provider][grantType]++;
    if (this.failTokenEndpoint[provider]) {
      this.failTokenEndpoint[provider]!--;
      return json(503, provider === 'google' ? { error: 'internal_failure' } : { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred.' });
    }
    const refuse = (error: string, description: string, aadsts: number) =>
      json(
        400,
        provider === 'google'
          ? { error, error_description: description }
          : { error, error_description: `AADSTS${aadsts}: ${description}`, error_codes: [aadsts], timestamp: new Date().toISOString(), trace_id: randomBytes(8).toString('hex'), correlation_id: randomBytes(8).toString('hex') },
      );
    const client = this.clients[provider];
    if (body.get('client_id') !== client.id || !same(body.get('client_secret') ?? '', client.secret)) {
      return json(401, provider === 'google' ? { error: 'invalid_client', error_description: 'Unauthorized' } : { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
    }
    if (grantType === 'authorization_code') {
      const c = this.codes.get(body.get('code') ?? '');
      if (!c || c.provider !== provider || c.used) return refuse('invalid_grant', provider === 'google' ? 'Malformed auth code.' : 'The provided authorization code or refresh token has expired due to inactivity.', 70008);
      c.used = true;
      if (c.redirectUri !== body.get('redirect_uri')) return refuse('redirect_uri_mismatch', 'Bad Request', 50011);
      if (s256(body.get('code_verifier') ?? '') !== c.challenge) return refuse('invalid_grant', provider === 'google' ? 'Invalid code verifier.' : 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.', 501481);
      const grant: Grant = { provider, subject: c.subject, scope: c.scope, refreshToken: `${provider}-refresh-${randomBytes(18).toString('hex')}`, revoked: false };
      this.grantsByRefresh.set(grant.refreshToken, grant);
      return json(200, { ...this.issueAccess(grant), refresh_token: grant.refreshToken, id_token: this.idToken(provider, c.subject) });
    }
    if (grantType === 'refresh_token') {
      const g = this.grantsByRefresh.get(body.get('refresh_token') ?? '');
      if (!g || g.provider !== provider || g.revoked) return refuse('invalid_grant', provider === 'google' ? 'Token has been expired or revoked.' : 'The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.', 700082);
      if (provider === 'microsoft') {
        // The identity platform rotates refresh tokens: the new one replaces the old.
        this.grantsByRefresh.delete(g.refreshToken);
        g.refreshToken = `${provider}-refresh-${randomBytes(18).toString('hex')}`;
        this.grantsByRefresh.set(g.refreshToken, g);
        return json(200, { ...this.issueAccess(g), refresh_token: g.refreshToken, id_token: this.idToken(provider, g.subject) });
      }
      return json(200, this.issueAccess(g));
    }
    return refuse('unsupported_grant_type', 'Invalid grant_type', 70003);
  }

  private async slackAccess(body: URLSearchParams, json: (s: number, v: unknown) => void): Promise<void> {
    if (this.tokenDelayMs) await new Promise((r) => setTimeout(r, this.tokenDelayMs));
    const grantType = body.get('grant_type') ?? 'authorization_code';
    if (grantType === 'authorization_code' || grantType === 'refresh_token') this.grants.slack[grantType]++;
    if (this.failTokenEndpoint.slack) {
      this.failTokenEndpoint.slack--;
      return json(200, { ok: false, error: 'internal_error' });
    }
    if (body.get('client_id') !== this.clients.slack.id) return json(200, { ok: false, error: 'invalid_client_id' });
    if (!same(body.get('client_secret') ?? '', this.clients.slack.secret)) return json(200, { ok: false, error: 'bad_client_secret' });
    if (grantType === 'refresh_token') {
      const g = this.grantsByRefresh.get(body.get('refresh_token') ?? '');
      if (!g || g.provider !== 'slack' || g.revoked) return json(200, { ok: false, error: 'invalid_refresh_token' });
      this.grantsByRefresh.delete(g.refreshToken);
      g.refreshToken = `xoxe-1-${randomBytes(18).toString('hex')}`;
      this.grantsByRefresh.set(g.refreshToken, g);
      const a = this.issueAccess(g, 'xoxe.xoxp-1-');
      return json(200, { ok: true, app_id: 'A0FAKEAPP', access_token: a.access_token, token_type: 'user', scope: g.scope, expires_in: a.expires_in, refresh_token: g.refreshToken, team: this.slackTeam });
    }
    const c = this.codes.get(body.get('code') ?? '');
    if (!c || c.provider !== 'slack') return json(200, { ok: false, error: 'invalid_code' });
    if (c.used) return json(200, { ok: false, error: 'code_already_used' });
    c.used = true;
    if (body.has('redirect_uri') && body.get('redirect_uri') !== c.redirectUri) return json(200, { ok: false, error: 'bad_redirect_uri' });
    if (s256(body.get('code_verifier') ?? '') !== c.challenge) return json(200, { ok: false, error: 'invalid_code_verifier' });
    const grant: Grant = { provider: 'slack', subject: c.subject, scope: c.scope, refreshToken: `xoxe-1-${randomBytes(18).toString('hex')}`, revoked: false };
    this.grantsByRefresh.set(grant.refreshToken, grant);
    const a = this.issueAccess(grant, 'xoxe.xoxp-1-');
    return json(200, {
      ok: true,
      app_id: 'A0FAKEAPP',
      authed_user: { id: c.subject, scope: c.scope, access_token: a.access_token, token_type: 'user', expires_in: a.expires_in, refresh_token: grant.refreshToken },
      team: this.slackTeam,
      enterprise: null,
      is_enterprise_install: false,
    });
  }

  private issueAccess(g: Grant, prefix = `${g.provider === 'google' ? 'ya29.' : 'EwB'}`) {
    const token = `${prefix}${randomBytes(24).toString('base64url')}`;
    this.access.set(token, g);
    return { access_token: token, token_type: 'Bearer', expires_in: this.accessTtlSeconds, scope: g.scope };
  }

  /** An RS256 id_token with the claims each provider documents. */
  private idToken(provider: 'google' | 'microsoft', subject: string): string {
    const now = Math.floor(Date.now() / 1000);
    const claims =
      provider === 'google'
        ? { iss: 'https://accounts.google.com', aud: this.clients.google.id, azp: this.clients.google.id, sub: subject, email: `${subject}@gmail.example`, email_verified: true, iat: now, exp: now + 3600 }
        : {
            iss: `${this.base}/microsoft/${this.microsoftTenantId}/v2.0`,
            aud: this.clients.microsoft.id,
            sub: `pairwise-${subject}`,
            oid: subject,
            tid: this.microsoftTenantId,
            preferred_username: `${subject}@contoso.example`,
            iat: now,
            nbf: now,
            exp: now + 3600,
            ver: '2.0',
          };
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${enc({ alg: 'RS256', kid: 'fake-key-1', typ: 'JWT' })}.${enc(claims)}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(this.keys.privateKey).toString('base64url')}`;
  }
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
