import { OAuthAccess, OAuthAccessError, OAuthAccessTokens } from '@modules/identity/contracts/oauth-access-tokens';
import { oauthAccessOf, OAuthTokenVault } from '@modules/identity/infrastructure/oauth-token-vault';

/** A minute of slack: a token that expires during the call is as good as expired. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * For a stand-alone sync process in tests: the stored tokens as they are, never refreshed (the app binds
 * RefreshingOAuthAccessTokens); a token past its expiry asks the user to connect again.
 */
export class StoredOAuthAccessTokens extends OAuthAccessTokens {
  constructor(
    private readonly vault: OAuthTokenVault,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  async accessFor(accountId: string): Promise<OAuthAccess> {
    const t = await this.vault.tokensFor(accountId);
    if (!t) throw new OAuthAccessError('not_linked', 'The OAuth account is not linked');
    if (t.expiresAt && t.expiresAt.getTime() - EXPIRY_MARGIN_MS <= this.now().getTime()) {
      throw new OAuthAccessError('reconnect_required', `The ${t.provider} access token has expired: connect the account again`);
    }
    return oauthAccessOf(t);
  }

  async refreshAfterRejection(accountId: string): Promise<OAuthAccess> {
    const t = await this.vault.tokensFor(accountId);
    if (!t) throw new OAuthAccessError('not_linked', 'The OAuth account is not linked');
    throw new OAuthAccessError('reconnect_required', `The ${t.provider} account refused its access token: connect the account again`);
  }
}
