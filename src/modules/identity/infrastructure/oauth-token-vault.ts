import { Pool } from 'pg';
import { EncryptedColumn, EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import type { OAuthAccess } from '@modules/identity/contracts/oauth-access-tokens';
import { SealedToken } from '@modules/identity/domain/oauth-account/oauth-account.decider';

export type OAuthTokenKind = 'access' | 'refresh' | 'id';

/** Names the account and the token's role: a ciphertext copied to another row or column no longer opens. */
export const oauthTokenAad = (accountId: string, kind: OAuthTokenKind) => `oauth-account:${accountId}:${kind}`;

const TABLE = 'identity_oauth_accounts_view';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The read model's ciphertext columns, for `secrets rotate`. */
export const oauthTokenColumns: EncryptedColumn[] = [
  { table: TABLE, idColumn: 'id', column: 'access_token_ciphertext', aad: (id) => oauthTokenAad(id, 'access') },
  { table: TABLE, idColumn: 'id', column: 'refresh_token_ciphertext', aad: (id) => oauthTokenAad(id, 'refresh') },
  { table: TABLE, idColumn: 'id', column: 'id_token_ciphertext', aad: (id) => oauthTokenAad(id, 'id') },
];

export interface OAuthTokens {
  accountId: string;
  userId: string;
  provider: string;
  providerAccountId: string;
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  expiresAt: Date | null;
  tokenType: string | null;
  scope: string | null;
}

/** What a connector gets of the tokens (identity's OAuthAccessTokens contract): the access token, never the refresh or id token. */
export const oauthAccessOf = (t: OAuthTokens): OAuthAccess => ({
  accountId: t.accountId,
  userId: t.userId,
  provider: t.provider as OAuthAccess['provider'],
  providerAccountId: t.providerAccountId,
  accessToken: t.accessToken,
  scope: t.scope,
  expiresAt: t.expiresAt,
});

/**
 * OAuth tokens at rest: sealed with the SecretBox before they enter an event (the log is
 * immutable and kept forever), stored as the same ciphertexts in the read model, opened only
 * by `tokensFor` (for the sync jobs that call the provider). Nothing else ever sees them.
 */
export class OAuthTokenVault {
  constructor(
    private readonly pool: Pool,
    private readonly box: SecretBox,
    columns: EncryptedColumns,
  ) {
    columns.register(...oauthTokenColumns);
  }

  seal(accountId: string, kind: OAuthTokenKind, token: string): SealedToken {
    return this.box.encrypt(token, oauthTokenAad(accountId, kind));
  }

  /** The account's tokens in clear, or null when it is unknown or unlinked. Internal: never for an HTTP answer. */
  async tokensFor(accountId: string): Promise<OAuthTokens | null> {
    if (!UUID.test(accountId)) return null;
    const r = await this.pool.query(
      `SELECT id, user_id, provider, provider_account_id, access_token_ciphertext, refresh_token_ciphertext, id_token_ciphertext, expires_at, token_type, scope
         FROM ${TABLE} WHERE id = $1`,
      [accountId],
    );
    const row = r.rows[0];
    if (!row) return null;
    const open = (token: string | null, kind: OAuthTokenKind) => (token === null ? null : this.box.decrypt(token, oauthTokenAad(row.id, kind)));
    return {
      accountId: row.id,
      userId: row.user_id,
      provider: row.provider,
      providerAccountId: row.provider_account_id,
      accessToken: open(row.access_token_ciphertext, 'access')!,
      refreshToken: open(row.refresh_token_ciphertext, 'refresh'),
      idToken: open(row.id_token_ciphertext, 'id'),
      expiresAt: row.expires_at,
      tokenType: row.token_type,
      scope: row.scope,
    };
  }
}
