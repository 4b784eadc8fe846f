import { Inject, Injectable } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { PG_POOL } from '@libs/database/database-backend';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { OAuthAccountsHandler, oauthAccountIdOf } from '@modules/identity/application/oauth-accounts/oauth-accounts.handler';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { ConnectProvider, DEFAULT_SCOPES, isConnectProvider, OAuthProviderError, OAuthProviders } from '@modules/identity/infrastructure/oauth-providers';
import { OAuthStateSigner } from '@modules/identity/infrastructure/oauth-state';
import { PlatformSecrets } from '@modules/identity/infrastructure/platform-secrets';
import { ConnectOAuthRequestDto } from './oauth-connect.request.dto';

/** How long a user has to consent at the provider. */
export const CONNECT_TTL_MS = 10 * 60_000;
/** Scopes without which the flow cannot name the account (OIDC) or keep it (a refresh token). */
const REQUIRED_SCOPES: Record<ConnectProvider, string[]> = { google: ['openid'], microsoft: ['openid', 'offline_access'], slack: [] };
const verifierAad = (attemptId: string) => `oauth-connect:${attemptId}:verifier`;
const OAUTH_ERROR = /^[a-z_]{1,64}$/;

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
}

export type CallbackOutcome = { redirect: string } | { json: { accountId: string; provider: ConnectProvider; scopes: string[] } };

/**
 * The authorization code flow with PKCE (S256). Connect: a connect attempt row holds the PKCE
 * verifier, sealed, server-side (never in a URL that passes through the browser and the
 * provider's logs) and makes the state single use; the state, HMAC-signed with a platform
 * secret, binds the attempt to the user, the workspace, the provider and 10 minutes. Callback:
 * the state is checked, the attempt consumed (deleted as it is read), the code exchanged with
 * the verifier, and the account linked with its tokens sealed (or, linked already, its tokens
 * replaced). Refusals are problem+json that say what happened, never the provider's body.
 */
@Injectable()
export class OAuthConnectHandler {
  private signer?: Promise<OAuthStateSigner>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly box: SecretBox,
    private readonly secrets: PlatformSecrets,
    private readonly providers: OAuthProviders,
    private readonly accounts: OAuthAccountsHandler,
    private readonly queries: IdentityQueries,
  ) {}

  async connect(userId: string, workspaceId: string, providerName: string, input: ConnectOAuthRequestDto, now = new Date()) {
    const provider = this.provider(providerName);
    if (!this.providers.configured(provider)) {
      throw new IdentityError(Code.OAuthProviderNotConfigured, `Connecting ${provider} is not configured on this server (the operator sets its OAuth client id and secret and OAUTH_CALLBACK_BASE_URL)`, { provider });
    }
    const returnTo = input.returnTo === undefined ? null : this.checkReturnTo(input.returnTo);
    const scopes = [...new Set([...REQUIRED_SCOPES[provider], ...(input.scopes ?? DEFAULT_SCOPES[provider])])];
    const attemptId = uuidv7();
    const verifier = oauth.generateRandomCodeVerifier();
    const expiresAt = new Date(now.getTime() + CONNECT_TTL_MS);
    // Expired attempts go as new ones come: the table stays as small as the attempts in flight.
    await this.pool.query(`DELETE FROM identity_oauth_connect_attempts WHERE expires_at < $1`, [now]);
    await this.pool.query(
      `INSERT INTO identity_oauth_connect_attempts (id, user_id, workspace_id, provider, verifier_ciphertext, scopes, return_to, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [attemptId, userId, workspaceId, provider, this.box.encrypt(verifier, verifierAad(attemptId)), scopes, returnTo, expiresAt],
    );
    const state = (await this.stateSigner()).sign({ attemptId, userId, workspaceId, provider, expiresAt: Math.floor(expiresAt.getTime() / 1000) });
    const authorizationUrl = this.providers.authorizationUrl(provider, { state, codeChallenge: await oauth.calculatePKCECodeChallenge(verifier), scopes });
    return { authorizationUrl, expiresAt: expiresAt.toISOString() };
  }

  /** `callerUserId`: the signed-in user when the browser sends a bearer (it usually does not); another user than the state's is refused. */
  async callback(providerName: string, q: CallbackQuery, callerUserId: string | null, meta: CommandMetadata): Promise<CallbackOutcome> {
    const provider = this.provider(providerName);
    if (typeof q.state !== 'string' || q.state === '') throw new IdentityError(Code.OAuthStateInvalid, 'The callback carries no state: start again from connect');
    const check = (await this.stateSigner()).verify(q.state);
    if (!check.ok) {
      if (check.reason === 'expired') throw new IdentityError(Code.OAuthStateExpired, 'The connect attempt expired (10 minutes): start again from connect');
      throw new IdentityError(Code.OAuthStateInvalid, 'The state is not one this server signed: start again from connect');
    }
    const claims = check.claims;
    if (claims.provider !== provider) throw new IdentityError(Code.OAuthStateInvalid, `The state was issued for ${claims.provider}, not ${provider}`);
    if (callerUserId !== null && callerUserId !== claims.userId) {
      throw new IdentityError(Code.OAuthStateOtherUser, 'This connect attempt was started by another user: it cannot link an account to you');
    }
    // Single use: the row goes as it is read, so a replayed state (or a second tab) finds nothing.
    const r = await this.pool.query<{ verifier_ciphertext: string; scopes: string[]; return_to: string | null; expires_at: Date }>(
      `DELETE FROM identity_oauth_connect_attempts WHERE id = $1 AND user_id = $2 AND workspace_id = $3 AND provider = $4 RETURNING verifier_ciphertext, scopes, return_to, expires_at`,
      [claims.attemptId, claims.userId, claims.workspaceId, provider],
    );
    const attempt = r.rows[0];
    if (!attempt) throw new IdentityError(Code.OAuthStateUsed, 'This connect attempt was already used (or is unknown): start again from connect');
    if (attempt.expires_at.getTime() <= meta.now.getTime()) throw new IdentityError(Code.OAuthStateExpired, 'The connect attempt expired (10 minutes): start again from connect');

    if (q.error !== undefined) {
      const oauthError = typeof q.error === 'string' && OAUTH_ERROR.test(q.error) ? q.error : 'invalid_response';
      if (oauthError === 'access_denied') throw new IdentityError(Code.OAuthAuthorizationDenied, `The ${provider} consent was declined: nothing was linked`, { provider, oauthError });
      throw new IdentityError(Code.OAuthAuthorizationFailed, `${provider} did not authorize the connection (${oauthError}): nothing was linked`, { provider, oauthError });
    }
    if (typeof q.code !== 'string' || q.code === '' || q.code.length > 4096) throw new IdentityError(Code.OAuthAuthorizationFailed, `${provider} sent no authorization code: nothing was linked`, { provider });

    const verifier = this.box.decrypt(attempt.verifier_ciphertext, verifierAad(claims.attemptId));
    let exchanged;
    try {
      exchanged = await this.providers.exchangeCode(provider, q.code, verifier);
    } catch (err) {
      if (err instanceof OAuthProviderError && err.kind === 'refused') {
        throw new IdentityError(Code.OAuthCodeRejected, `${err.message}: nothing was linked; start again from connect`, { provider, oauthError: err.oauthError });
      }
      if (err instanceof OAuthProviderError) throw new IdentityError(Code.OAuthProviderUnavailable, `${err.message}: try again later`, { provider });
      throw err;
    }

    const userId = claims.userId;
    const m: CommandMetadata = { ...meta, actorId: userId, workspaceId: null, idempotencyKey: undefined, expectedVersion: undefined };
    const accountId = oauthAccountIdOf(userId, provider, exchanged.providerAccountId);
    const tokens = {
      accessToken: exchanged.accessToken,
      ...(exchanged.refreshToken !== null ? { refreshToken: exchanged.refreshToken } : {}),
      ...(exchanged.idToken !== null ? { idToken: exchanged.idToken } : {}),
      ...(exchanged.expiresAt !== null ? { expiresAt: exchanged.expiresAt.toISOString() } : {}),
      ...(exchanged.tokenType !== null ? { tokenType: exchanged.tokenType } : {}),
      scope: exchanged.scope ?? attempt.scopes.join(' '),
    };
    const linked = (await this.queries.oauthAccountsOf(userId, accountId)).length > 0;
    // Connected again: the new consent's tokens replace the old (a rotated refresh token included).
    const account = linked
      ? await this.accounts.refreshTokens(userId, accountId, tokens, m)
      : await this.accounts.link(userId, { provider, providerAccountId: exchanged.providerAccountId, ...tokens }, m);
    const scopes = String((account as { scope?: string | null }).scope ?? tokens.scope)
      .split(/[\s,]+/)
      .filter(Boolean);
    if (attempt.return_to !== null) {
      const url = new URL(attempt.return_to, 'http://relative.invalid');
      url.searchParams.set('connected', accountId);
      return { redirect: url.origin === 'http://relative.invalid' ? `${url.pathname}${url.search}${url.hash}` : url.href };
    }
    return { json: { accountId, provider, scopes } };
  }

  private provider(name: string): ConnectProvider {
    if (!isConnectProvider(name)) throw new IdentityError(Code.OAuthProviderUnknown, 'Unknown OAuth provider: google, microsoft or slack', { provider: String(name).slice(0, 40) });
    return name;
  }

  /** A relative path on this app, or a URL on the configured app origin: never an open redirect. */
  private checkReturnTo(returnTo: string): string {
    const refuse = () => new IdentityError(Code.OAuthReturnToNotAllowed, 'returnTo must be a relative path (/...) or a URL on the app origin (OAUTH_APP_ORIGIN)');
    // Whitespace, control characters and backslashes: browsers read `/\host` as another origin.
    if (/[\s\\]/.test(returnTo) || [...returnTo].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw refuse();
    if (returnTo.startsWith('/')) {
      if (returnTo.startsWith('//')) throw refuse();
      return returnTo;
    }
    const origin = this.config.OAUTH_APP_ORIGIN ?? this.config.OAUTH_CALLBACK_BASE_URL;
    let url: URL;
    try {
      url = new URL(returnTo);
    } catch {
      throw refuse();
    }
    if (!origin || url.origin !== new URL(origin).origin || url.username || url.password) throw refuse();
    return url.href;
  }

  /** The state key: a platform secret (generated once, shared by every process, kept sealed). */
  private stateSigner(): Promise<OAuthStateSigner> {
    this.signer ??= this.secrets.getOrCreate('oauth-state').then((key) => new OAuthStateSigner(key));
    this.signer.catch(() => (this.signer = undefined));
    return this.signer;
  }
}
