import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { OAuthAccountEvent } from '@modules/identity/domain/oauth-account/oauth-account.decider';

type Data<T extends OAuthAccountEvent['type']> = Extract<OAuthAccountEvent, { type: T }>['data'];

export interface OAuthAccountRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  provider: string;
  provider_account_id: string;
  /** SecretBox tokens, exactly as in the events (registered with EncryptedColumns: `secrets rotate` re-encrypts them). */
  access_token_ciphertext: string;
  refresh_token_ciphertext: string | null;
  id_token_ciphertext: string | null;
  expires_at: string | null;
  token_type: string | null;
  scope: string | null;
  session_state: string | null;
  sync_state: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** identity_oauth_accounts_view (seed 004 accounts). An unlinked account's row is deleted. */
export class OAuthAccountsProjection extends RowProjection<OAuthAccountRow> {
  readonly name = 'identity.oauth-accounts';
  readonly table = 'identity_oauth_accounts_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { accountId: string }).accountId;
  }

  readonly handlers: Record<string, RowHandler<OAuthAccountRow>> = {
    // A re-link replaces the tokens and their metadata; what the platform learnt (sync state) stays.
    'identity.oauth-account-linked': (r, e) => {
      const d = e.data as Data<'identity.oauth-account-linked'>;
      return {
        id: d.accountId,
        user_id: d.userId,
        provider: d.provider,
        provider_account_id: d.providerAccountId,
        access_token_ciphertext: d.accessTokenCiphertext,
        refresh_token_ciphertext: d.refreshTokenCiphertext,
        id_token_ciphertext: d.idTokenCiphertext,
        expires_at: d.expiresAt,
        token_type: d.tokenType,
        scope: d.scope,
        session_state: d.sessionState,
        sync_state: r?.sync_state ?? {},
        created_at: r?.created_at ?? d.at,
        updated_at: d.at,
      };
    },
    'identity.oauth-account-tokens-refreshed': (r, e) => {
      const d = e.data as Data<'identity.oauth-account-tokens-refreshed'>;
      if (!r) return null;
      return {
        ...r,
        access_token_ciphertext: d.accessTokenCiphertext,
        refresh_token_ciphertext: d.refreshTokenCiphertext ?? r.refresh_token_ciphertext,
        id_token_ciphertext: d.idTokenCiphertext ?? r.id_token_ciphertext,
        expires_at: d.expiresAt,
        token_type: d.tokenType ?? r.token_type,
        scope: d.scope ?? r.scope,
        updated_at: d.at,
      };
    },
    'identity.oauth-account-sync-state-changed': (r, e) => {
      const d = e.data as Data<'identity.oauth-account-sync-state-changed'>;
      return r ? { ...r, sync_state: d.syncState, updated_at: d.at } : null;
    },
    'identity.oauth-account-unlinked': () => null,
  };
}
