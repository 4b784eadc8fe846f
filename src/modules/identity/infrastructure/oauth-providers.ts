import { OnApplicationShutdown } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import type { AppConfig } from '@config/app-config';
import { OutboundGuard, outboundRefusalOf, readBodyCapped } from '@libs/common/net/outbound-guard';

/** The providers a user can connect through the browser (GitHub accounts are only linked with tokens obtained elsewhere). */
export const CONNECT_PROVIDERS = ['google', 'microsoft', 'slack'] as const;
export type ConnectProvider = (typeof CONNECT_PROVIDERS)[number];
export const isConnectProvider = (p: string): p is ConnectProvider => (CONNECT_PROVIDERS as readonly string[]).includes(p);

/** What each provider is asked for when the caller names no scopes: reading mail / channel history, and who the user is. */
export const DEFAULT_SCOPES: Record<ConnectProvider, string[]> = {
  google: ['openid', 'email', 'profile', 'https://www.googleapis.com/auth/gmail.readonly'],
  microsoft: ['openid', 'email', 'profile', 'offline_access', 'Mail.Read', 'User.Read'],
  slack: ['channels:history', 'channels:read', 'groups:history', 'users:read'],
};

export interface ProviderTokens {
  accessToken: string;
  /** Null when the provider sent none (on a refresh: it did not rotate it). */
  refreshToken: string | null;
  idToken: string | null;
  expiresAt: Date | null;
  tokenType: string | null;
  scope: string | null;
}

export interface CodeExchange extends ProviderTokens {
  /** Google: the id_token `sub`; Microsoft: the id_token `oid`; Slack: `<team id>:<authed user id>`. */
  providerAccountId: string;
}

export type RevokeOutcome = 'revoked' | 'failed' | 'not_supported';

/**
 * A provider said no (`refused`: invalid_grant, invalid_code, access_denied...) or could not be
 * reached / answered 5xx (`unavailable`). The message is ours and names the OAuth error code at
 * most: never the provider's body, which may echo what we sent.
 */
export class OAuthProviderError extends Error {
  constructor(
    readonly kind: 'refused' | 'unavailable',
    readonly oauthError: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthProviderError';
  }
}

interface OidcProvider {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  auth: oauth.ClientAuth;
  insecure: boolean;
}

const LABEL: Record<ConnectProvider, string> = { google: 'Google', microsoft: 'Microsoft', slack: 'Slack' };
const OAUTH_ERROR = /^[a-z_]{1,64}$/;
const safeErrorCode = (e: unknown) => (typeof e === 'string' && OAUTH_ERROR.test(e) ? e : null);
const TIMEOUT_MS = 15_000;
/** Refresh, revoke and userinfo are safe to send again; a code exchange is not (a code is single use). */
const RETRIES = 3;

/**
 * The OAuth 2.0 clients of Google, Microsoft and Slack (authorization code + PKCE S256). Google
 * and Microsoft go through oauth4webapi (token answers and id_token claims checked: issuer,
 * audience, expiry); Slack's oauth.v2.access is not RFC 6749 (always 200, `{ ok, error }`, tokens
 * under `authed_user`), so it is spoken directly. Every request goes through the outbound guard
 * (CONNECTOR_ALLOWED_HOSTS); endpoints come from the config, so tests aim them at a fake.
 */
export class OAuthProviders implements OnApplicationShutdown {
  private readonly oidc: Partial<Record<ConnectProvider, OidcProvider>> = {};

  constructor(
    private readonly config: AppConfig,
    private readonly guard: OutboundGuard,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (config.GOOGLE_OAUTH_CLIENT_ID) {
      this.oidc.google = this.oidcProvider(
        {
          issuer: config.GOOGLE_OAUTH_ISSUER,
          authorization_endpoint: config.GOOGLE_OAUTH_AUTHORIZATION_URL,
          token_endpoint: config.GOOGLE_OAUTH_TOKEN_URL,
          revocation_endpoint: config.GOOGLE_OAUTH_REVOKE_URL,
          userinfo_endpoint: config.GOOGLE_OAUTH_USERINFO_URL,
        },
        config.GOOGLE_OAUTH_CLIENT_ID,
        config.GOOGLE_OAUTH_CLIENT_SECRET,
      );
    }
    if (config.MICROSOFT_OAUTH_CLIENT_ID) {
      const base = config.MICROSOFT_OAUTH_BASE_URL.replace(/\/+$/, '');
      const tenant = config.MICROSOFT_OAUTH_TENANT;
      const p = this.oidcProvider(
        {
          issuer: `${base}/${tenant}/v2.0`,
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          userinfo_endpoint: config.MICROSOFT_OAUTH_USERINFO_URL,
        },
        config.MICROSOFT_OAUTH_CLIENT_ID,
        config.MICROSOFT_OAUTH_CLIENT_SECRET,
      );
      // A multi-tenant app's id_token names the user's own tenant: `<base>/<tid>/v2.0`. oauth4webapi's
      // hook for it (the one openid-client uses for Microsoft) is not in its typings.
      const hook = (oauth as unknown as Record<string, unknown>)._expectedIssuer;
      if (typeof hook === 'symbol') {
        (p.as as unknown as Record<symbol, unknown>)[hook] = (result: { claims: { tid?: unknown } }) =>
          typeof result.claims.tid === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(result.claims.tid) ? `${base}/${result.claims.tid}/v2.0` : p.as.issuer;
      }
      this.oidc.microsoft = p;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.guard.close();
  }

  /** A provider without a client id (or without the public callback base URL) cannot be connected. */
  configured(provider: ConnectProvider): boolean {
    if (!this.config.OAUTH_CALLBACK_BASE_URL) return false;
    return provider === 'slack' ? Boolean(this.config.SLACK_OAUTH_CLIENT_ID) : Boolean(this.oidc[provider]);
  }

  callbackUrl(provider: ConnectProvider): string {
    return `${this.config.OAUTH_CALLBACK_BASE_URL!.replace(/\/+$/, '')}/api/v1/oauth/${provider}/callback`;
  }

  /** The consent page URL: PKCE S256, the signed state, offline access (a refresh token). */
  authorizationUrl(provider: ConnectProvider, input: { state: string; codeChallenge: string; scopes: string[] }): string {
    if (provider === 'slack') {
      const url = new URL(this.config.SLACK_OAUTH_AUTHORIZATION_URL);
      // User scopes: the token reads what the user who consents can read.
      url.search = new URLSearchParams({
        client_id: this.config.SLACK_OAUTH_CLIENT_ID!,
        user_scope: input.scopes.join(','),
        redirect_uri: this.callbackUrl(provider),
        state: input.state,
        code_challenge: input.codeChallenge,
        code_challenge_method: 'S256',
      }).toString();
      return url.href;
    }
    const p = this.oidc[provider]!;
    const url = new URL(p.as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: p.client.client_id,
      response_type: 'code',
      redirect_uri: this.callbackUrl(provider),
      scope: input.scopes.join(' '),
      state: input.state,
      code_challenge: input.codeChallenge,
      code_challenge_method: 'S256',
      // Google gives a refresh token only with offline access, and again only on a new consent.
      ...(provider === 'google' ? { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' } : {}),
    }).toString();
    return url.href;
  }

  /** The code the provider sent to the callback, for tokens (with the PKCE verifier) and who the user is at the provider. */
  async exchangeCode(provider: ConnectProvider, code: string, codeVerifier: string): Promise<CodeExchange> {
    if (provider === 'slack') return this.slackExchange({ code, code_verifier: codeVerifier, redirect_uri: this.callbackUrl(provider) }, false);
    const p = this.oidc[provider]!;
    const result = await this.call(provider, 'the code exchange', async () => {
      const params = oauth.validateAuthResponse(p.as, p.client, new URLSearchParams({ code }), oauth.skipStateCheck);
      const res = await oauth.authorizationCodeGrantRequest(p.as, p.client, p.auth, params, this.callbackUrl(provider), codeVerifier, this.options(p, false));
      return oauth.processAuthorizationCodeResponse(p.as, p.client, res);
    });
    const claims = oauth.getValidatedIdTokenClaims(result);
    let accountId = provider === 'microsoft' ? claims?.oid : claims?.sub;
    if (typeof accountId !== 'string' || accountId === '') {
      const info = await this.call(provider, 'the userinfo request', async () =>
        oauth.processUserInfoResponse(p.as, p.client, oauth.skipSubjectCheck, await oauth.userInfoRequest(p.as, p.client, result.access_token, this.options(p, true))),
      );
      accountId = info.sub;
    }
    return { ...this.tokensOf(result), providerAccountId: String(accountId) };
  }

  /** A refresh grant. A refusal (invalid_grant: revoked, expired) is `refused`; 5xx and network failures `unavailable`. */
  async refresh(provider: ConnectProvider, refreshToken: string): Promise<ProviderTokens> {
    if (provider === 'slack') return this.slackExchange({ grant_type: 'refresh_token', refresh_token: refreshToken }, true);
    const p = this.oidc[provider];
    if (!p) throw new OAuthProviderError('unavailable', null, `${LABEL[provider]} OAuth is not configured on this server`);
    const result = await this.call(provider, 'the token refresh', async () =>
      oauth.processRefreshTokenResponse(p.as, p.client, await oauth.refreshTokenGrantRequest(p.as, p.client, p.auth, refreshToken, this.options(p, true))),
    );
    return this.tokensOf(result);
  }

  /**
   * Revokes the grant at the provider: Google's revoke endpoint (the refresh token revokes the
   * whole grant), Slack's auth.revoke. Microsoft has no per-token revocation endpoint: the
   * tokens are only dropped here (the user removes the app at https://myapps.microsoft.com).
   */
  async revoke(provider: ConnectProvider, tokens: { accessToken: string; refreshToken: string | null }): Promise<RevokeOutcome> {
    try {
      if (provider === 'microsoft') return 'not_supported';
      if (provider === 'slack') {
        const res = await this.retrying(`${this.slackApiBase()}/auth.revoke`, { method: 'POST', headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
        const body = (await res.json().catch(() => null)) as { ok?: unknown } | null;
        return res.ok && body?.ok === true ? 'revoked' : 'failed';
      }
      const p = this.oidc[provider];
      if (!p) return 'failed';
      await oauth.processRevocationResponse(await oauth.revocationRequest(p.as, p.client, p.auth, tokens.refreshToken ?? tokens.accessToken, this.options(p, true)));
      return 'revoked';
    } catch {
      return 'failed';
    }
  }

  private oidcProvider(as: oauth.AuthorizationServer, clientId: string, clientSecret: string | undefined): OidcProvider {
    const insecure = [as.authorization_endpoint, as.token_endpoint, as.revocation_endpoint, as.userinfo_endpoint].some((u) => u?.startsWith('http:'));
    return { as, client: { client_id: clientId }, auth: oauth.ClientSecretPost(clientSecret ?? ''), insecure };
  }

  /** oauth4webapi's options: the guard's fetch (retried unless it is a code exchange), http only if an endpoint is configured so (a local fake). */
  private options(p: OidcProvider, retry: boolean): { [oauth.customFetch]: (url: string, init: RequestInit) => Promise<Response>; [oauth.allowInsecureRequests]: boolean } {
    return {
      [oauth.customFetch]: (url: string, init: RequestInit) => (retry ? this.retrying(url, init) : this.once(url, init)),
      [oauth.allowInsecureRequests]: p.insecure,
    };
  }

  /** One request through the guard, its answer read at most CONNECTOR_MAX_RESPONSE_BYTES (a hostile server cannot exhaust memory). */
  private async once(url: string, init: RequestInit): Promise<Response> {
    const res = await this.guard.fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await readBodyCapped(res, this.config.CONNECTOR_MAX_RESPONSE_BYTES);
    return new Response(body.length === 0 ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  /** 429, 5xx and network failures again with a short backoff (Retry-After honoured up to 10 s); the last answer or error goes back. */
  private async retrying(url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      try {
        res = await this.once(url, init);
      } catch (err) {
        if (attempt >= RETRIES || outboundRefusalOf(err)) throw err;
      }
      if (res && !(res.status === 429 || res.status >= 500)) return res;
      if (res && attempt >= RETRIES) return res;
      const retryAfter = Number(res?.headers.get('retry-after'));
      await res?.body?.cancel().catch(() => undefined);
      await this.sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : 250 * 2 ** (attempt - 1));
    }
  }

  /** Runs an oauth4webapi exchange, turning its failures into OAuthProviderError (never the provider's body). */
  private async call<T>(provider: ConnectProvider, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError) {
        const code = safeErrorCode(err.error);
        if (err.status >= 500) throw new OAuthProviderError('unavailable', code, `${LABEL[provider]} failed ${what} (HTTP ${err.status})`);
        throw new OAuthProviderError('refused', code, `${LABEL[provider]} refused ${what}${code ? ` (${code})` : ''}`);
      }
      const status = (err as { cause?: unknown }).cause instanceof Response ? ((err as { cause: Response }).cause.status as number) : null;
      if (err instanceof oauth.OperationProcessingError && status !== null && status < 500 && status !== 429) {
        throw new OAuthProviderError('refused', null, `${LABEL[provider]} answered ${what} with HTTP ${status}`);
      }
      if (err instanceof oauth.OperationProcessingError && status === null && err.code !== oauth.RESPONSE_IS_NOT_JSON) {
        // A token answer that does not hold up (id_token issuer or audience, missing access_token).
        throw new OAuthProviderError('refused', null, `${LABEL[provider]}'s answer to ${what} did not pass the checks (${err.code ?? 'invalid response'})`);
      }
      throw new OAuthProviderError('unavailable', null, `${LABEL[provider]} could not be reached for ${what}${status ? ` (HTTP ${status})` : ''}`);
    }
  }

  private tokensOf(r: oauth.TokenEndpointResponse): ProviderTokens {
    return {
      accessToken: r.access_token,
      refreshToken: r.refresh_token ?? null,
      idToken: r.id_token ?? null,
      expiresAt: typeof r.expires_in === 'number' ? new Date(Date.now() + r.expires_in * 1000) : null,
      tokenType: r.token_type ?? null,
      scope: r.scope ?? null,
    };
  }

  private slackApiBase(): string {
    return this.config.SLACK_API_BASE_URL.replace(/\/+$/, '');
  }

  /**
   * oauth.v2.access, for a code (with the PKCE verifier) or a refresh token (token rotation). Slack
   * answers 200 `{ ok: false, error }` to a refusal. The user token is under `authed_user` for a
   * code; a refresh of a user token answers it at the top level.
   */
  private async slackExchange(params: Record<string, string>, refresh: true): Promise<ProviderTokens>;
  private async slackExchange(params: Record<string, string>, refresh: false): Promise<CodeExchange>;
  private async slackExchange(params: Record<string, string>, refresh: boolean): Promise<CodeExchange | ProviderTokens> {
    const what = refresh ? 'the token refresh' : 'the code exchange';
    const body = new URLSearchParams({ client_id: this.config.SLACK_OAUTH_CLIENT_ID ?? '', client_secret: this.config.SLACK_OAUTH_CLIENT_SECRET ?? '', ...params }).toString();
    const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body };
    let res: Response;
    try {
      res = refresh ? await this.retrying(`${this.slackApiBase()}/oauth.v2.access`, init) : await this.once(`${this.slackApiBase()}/oauth.v2.access`, init);
    } catch {
      throw new OAuthProviderError('unavailable', null, `Slack could not be reached for ${what}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new OAuthProviderError(res.status >= 500 || res.status === 429 ? 'unavailable' : 'refused', null, `Slack answered ${what} with HTTP ${res.status}`);
    }
    const j = (await res.json().catch(() => null)) as SlackOAuthAnswer | null;
    if (!j || j.ok !== true) {
      const code = safeErrorCode(j?.error);
      const transient = code === 'ratelimited' || code === 'internal_error' || code === 'service_unavailable' || code === 'fatal_error' || code === 'request_timeout';
      throw new OAuthProviderError(transient ? 'unavailable' : 'refused', code, `Slack refused ${what}${code ? ` (${code})` : ''}`);
    }
    const user = j.authed_user;
    const source = typeof user?.access_token === 'string' ? user : j;
    if (typeof source.access_token !== 'string') throw new OAuthProviderError('refused', null, `Slack's answer to ${what} carries no access token`);
    const tokens: ProviderTokens = {
      accessToken: source.access_token,
      refreshToken: typeof source.refresh_token === 'string' ? source.refresh_token : null,
      idToken: null,
      expiresAt: typeof source.expires_in === 'number' ? new Date(Date.now() + source.expires_in * 1000) : null,
      tokenType: typeof source.token_type === 'string' ? source.token_type : null,
      scope: typeof source.scope === 'string' ? source.scope : null,
    };
    if (refresh) return tokens;
    if (typeof user?.id !== 'string' || typeof j.team?.id !== 'string') throw new OAuthProviderError('refused', null, "Slack's answer names no authed user or team");
    return { ...tokens, providerAccountId: `${j.team.id}:${user.id}` };
  }
}

interface SlackTokenFields {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  token_type?: unknown;
  scope?: unknown;
}

interface SlackOAuthAnswer extends SlackTokenFields {
  ok?: unknown;
  error?: unknown;
  authed_user?: SlackTokenFields & { id?: unknown };
  team?: { id?: unknown; name?: unknown } | null;
}
