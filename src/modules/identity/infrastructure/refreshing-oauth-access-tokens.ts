import { Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { LeaseManager } from '@libs/database/coordination/coordination.port';
import { OAuthAccess, OAuthAccessError, OAuthAccessTokens } from '@modules/identity/contracts/oauth-access-tokens';
import { IdentityAggregates } from './identity-aggregates';
import { isConnectProvider, OAuthProviderError, OAuthProviders } from './oauth-providers';
import { oauthAccessOf as access, OAuthTokens, OAuthTokenVault } from './oauth-token-vault';

/** A minute of slack: a token that expires during the call is as good as expired. */
const EXPIRY_MARGIN_MS = 60_000;
/** Longer than a refresh takes (the provider client gives up after ~45 s of retries at most); a dead holder's lease lapses. */
const LEASE_TTL_MS = 60_000;
const LEASE_WAIT_MS = 60_000;
const LEASE_POLL_MS = 100;

/**
 * Access tokens that refresh themselves: when the stored one expires within a minute, or after
 * the provider answered 401 to it. One refresh per account at a time: this process's in-flight
 * map (callers of one process share the refresh), then a lease across processes; whoever gets
 * the lease reads the tokens again first, and when another holder already refreshed them, uses
 * theirs (a rotated refresh token must be spent once). The new tokens are sealed and recorded
 * with the account's refresh-tokens command. invalid_grant => reconnect_required; 5xx or
 * network => provider_unavailable.
 */
export class RefreshingOAuthAccessTokens extends OAuthAccessTokens {
  private readonly logger = new Logger('OAuthAccessTokens');
  private readonly inFlight = new Map<string, Promise<OAuthAccess>>();

  constructor(
    private readonly vault: OAuthTokenVault,
    private readonly providers: OAuthProviders,
    private readonly aggregates: IdentityAggregates,
    private readonly leases: LeaseManager,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  async accessFor(accountId: string): Promise<OAuthAccess> {
    const t = await this.stored(accountId);
    if (!this.stale(t)) return access(t);
    return this.singleFlight(accountId, (current) => this.stale(current));
  }

  async refreshAfterRejection(accountId: string, rejectedAccessToken: string): Promise<OAuthAccess> {
    const t = await this.stored(accountId);
    if (t.accessToken !== rejectedAccessToken) return access(t); // someone refreshed it since
    return this.singleFlight(accountId, (current) => current.accessToken === rejectedAccessToken);
  }

  private stale(t: OAuthTokens): boolean {
    return t.expiresAt !== null && t.expiresAt.getTime() - EXPIRY_MARGIN_MS <= this.now().getTime();
  }

  private async stored(accountId: string): Promise<OAuthTokens> {
    const t = await this.vault.tokensFor(accountId);
    if (!t) throw new OAuthAccessError('not_linked', 'The OAuth account is not linked');
    return t;
  }

  private singleFlight(accountId: string, needsRefresh: (t: OAuthTokens) => boolean): Promise<OAuthAccess> {
    const running = this.inFlight.get(accountId);
    if (running) return running;
    const p = this.refreshUnderLease(accountId, needsRefresh).finally(() => this.inFlight.delete(accountId));
    this.inFlight.set(accountId, p);
    return p;
  }

  private async refreshUnderLease(accountId: string, needsRefresh: (t: OAuthTokens) => boolean): Promise<OAuthAccess> {
    const lease = `identity.oauth-refresh:${accountId}`;
    const deadline = Date.now() + LEASE_WAIT_MS;
    while (!(await this.leases.tryAcquire(lease, LEASE_TTL_MS))) {
      if (Date.now() > deadline) throw new OAuthAccessError('provider_unavailable', 'Another process is refreshing this account and did not finish: try again later');
      await new Promise((r) => setTimeout(r, LEASE_POLL_MS));
    }
    try {
      const t = await this.stored(accountId);
      if (!needsRefresh(t)) return access(t);
      return await this.refresh(t);
    } finally {
      await this.leases.release(lease).catch((err) => this.logger.warn({ err, accountId }, 'releasing the refresh lease failed'));
    }
  }

  private async refresh(t: OAuthTokens): Promise<OAuthAccess> {
    const label = t.provider.charAt(0).toUpperCase() + t.provider.slice(1);
    if (!isConnectProvider(t.provider) || !this.providers.configured(t.provider)) {
      throw new OAuthAccessError('reconnect_required', `The ${label} access token has expired and ${label} OAuth is not configured on this server to refresh it`);
    }
    if (!t.refreshToken) throw new OAuthAccessError('reconnect_required', `The ${label} access token has expired and there is no refresh token: connect the account again`);
    let fresh;
    try {
      fresh = await this.providers.refresh(t.provider, t.refreshToken);
    } catch (err) {
      if (err instanceof OAuthProviderError && err.kind === 'refused') {
        throw new OAuthAccessError('reconnect_required', `${label} refused to refresh the access token${err.oauthError ? ` (${err.oauthError})` : ''}: connect the account again`);
      }
      if (err instanceof OAuthProviderError) throw new OAuthAccessError('provider_unavailable', `${err.message}: try again later`);
      throw err;
    }
    const now = this.now();
    await this.aggregates.oauthAccount.handle(
      t.accountId,
      {
        kind: 'refresh-tokens',
        userId: t.userId,
        accessTokenCiphertext: this.vault.seal(t.accountId, 'access', fresh.accessToken),
        ...(fresh.refreshToken !== null ? { refreshTokenCiphertext: this.vault.seal(t.accountId, 'refresh', fresh.refreshToken) } : {}),
        ...(fresh.idToken !== null ? { idTokenCiphertext: this.vault.seal(t.accountId, 'id', fresh.idToken) } : {}),
        expiresAt: fresh.expiresAt,
        ...(fresh.tokenType !== null ? { tokenType: fresh.tokenType } : {}),
        ...(fresh.scope !== null ? { scope: fresh.scope } : {}),
        now,
      },
      { commandId: uuidv7(), workspaceId: null, actorId: null, correlationId: uuidv7(), now },
    );
    return access({ ...t, accessToken: fresh.accessToken, expiresAt: fresh.expiresAt, scope: fresh.scope ?? t.scope });
  }
}
