/**
 * A linked OAuth account's access token, for the connectors that call the provider on the user's
 * behalf (Gmail, Microsoft 365, Slack). Bound by identity; injected by its abstract class. The token
 * is for the outgoing call only: never logged, never stored, never in an answer.
 *
 * A source that reads a linked account names it in its config as `oauthAccountId`; unlinking the
 * account stops every such source.
 */
export interface OAuthAccess {
  accountId: string;
  /** The user who linked the account (a source may only name an account of the user creating it). */
  userId: string;
  provider: 'google' | 'microsoft' | 'github' | 'slack';
  providerAccountId: string;
  accessToken: string;
  /** Space-separated scopes as the provider granted them, or null when it did not say. */
  scope: string | null;
  expiresAt: Date | null;
}

/** Why no token can be had; a sync turns it into an error that says what to do. */
export type OAuthAccessProblem =
  /** Unknown or unlinked account. */
  | 'not_linked'
  /** The provider refused the refresh (revoked, expired refresh token): the user must connect again. */
  | 'reconnect_required'
  /** The provider could not be reached or answered 5xx: try later. */
  | 'provider_unavailable';

export class OAuthAccessError extends Error {
  constructor(
    readonly problem: OAuthAccessProblem,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthAccessError';
  }
}

export abstract class OAuthAccessTokens {
  /**
   * A usable access token: the stored one, or a new one when it expires within a minute (refreshed
   * at the provider, one refresh at a time per account even across processes). Throws
   * OAuthAccessError.
   */
  abstract accessFor(accountId: string): Promise<OAuthAccess>;

  /**
   * The provider answered 401 to `rejectedAccessToken`: refresh now (unless another caller already
   * did, in which case its token is returned) and hand back the new access. Throws OAuthAccessError.
   */
  abstract refreshAfterRejection(accountId: string, rejectedAccessToken: string): Promise<OAuthAccess>;
}
