import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { OAuthAccountEvent } from '@modules/identity/domain/oauth-account/oauth-account.decider';
import { OAuthAccountsProjection } from '@modules/identity/projections/oauth-accounts.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const accountId = '0193a000-0000-7000-8000-000000000011';
const userId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const expiresAt = '2026-11-27T11:00:00.000Z';
const linked: OAuthAccountEvent = {
  type: 'identity.oauth-account-linked',
  data: {
    accountId,
    userId,
    provider: 'google',
    providerAccountId: 'g-1',
    accessTokenCiphertext: 'v1.k.at1',
    refreshTokenCiphertext: 'v1.k.rt1',
    idTokenCiphertext: null,
    expiresAt,
    tokenType: 'Bearer',
    scope: 'mail',
    sessionState: null,
    at,
  },
};
const account = {
  id: accountId,
  user_id: userId,
  provider: 'google',
  provider_account_id: 'g-1',
  access_token_ciphertext: 'v1.k.at1',
  refresh_token_ciphertext: 'v1.k.rt1',
  id_token_ciphertext: null,
  expires_at: expiresAt,
  token_type: 'Bearer',
  scope: 'mail',
  session_state: null,
  sync_state: {},
  created_at: at,
  updated_at: at,
};

describe('OAuthAccountsProjection (identity_oauth_accounts_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<OAuthAccountEvent>(new OAuthAccountsProjection(), () => db.pool);

  it('links an account with its sealed tokens', async () => {
    await spec.given([]).when([linked]).then([account]);
  });

  it('a refresh replaces the access token and keeps what the provider did not rotate', async () => {
    await spec
      .given([linked])
      .when([{ type: 'identity.oauth-account-tokens-refreshed', data: { accountId, userId, accessTokenCiphertext: 'v1.k.at2', expiresAt: later, at: later } }])
      .then([{ ...account, access_token_ciphertext: 'v1.k.at2', expires_at: later, updated_at: later }]);
  });

  it('a re-link replaces the tokens but keeps the sync state and the creation time', async () => {
    const synced: OAuthAccountEvent = { type: 'identity.oauth-account-sync-state-changed', data: { accountId, userId, syncState: { historyId: '42' }, at } };
    const relinked: OAuthAccountEvent = { ...linked, data: { ...linked.data, accessTokenCiphertext: 'v1.k.at3', refreshTokenCiphertext: null, at: later } };
    await spec
      .given([linked, synced])
      .when([relinked])
      .then([{ ...account, access_token_ciphertext: 'v1.k.at3', refresh_token_ciphertext: null, sync_state: { historyId: '42' }, updated_at: later }]);
  });

  it('unlinking deletes the row; a redelivered unlink changes nothing', async () => {
    const unlinked: OAuthAccountEvent = { type: 'identity.oauth-account-unlinked', data: { accountId, userId, provider: 'google', providerAccountId: 'g-1', at: later } };
    await spec.given([linked]).when([unlinked]).then([]);
    await spec.given([linked, unlinked]).when([unlinked]).then([]);
  });

  it('a redelivered sync state changes nothing', async () => {
    const synced: OAuthAccountEvent = { type: 'identity.oauth-account-sync-state-changed', data: { accountId, userId, syncState: { historyId: '42' }, at: later } };
    await spec.given([linked, synced]).when([synced]).then([{ ...account, sync_state: { historyId: '42' }, updated_at: later }]);
  });
});
