import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { OAuthAccountCommand, OAuthAccountEvent, oauthAccountDecider } from './oauth-account.decider';

const spec = DeciderSpecification(oauthAccountDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const expires = new Date('2026-11-27T11:00:00Z');
const link: OAuthAccountCommand = {
  kind: 'link',
  accountId: 'a',
  userId: 'u',
  provider: 'google',
  providerAccountId: '1234',
  accessTokenCiphertext: 'v1.k.access',
  refreshTokenCiphertext: 'v1.k.refresh',
  idTokenCiphertext: null,
  expiresAt: expires,
  tokenType: 'Bearer',
  scope: 'email',
  sessionState: null,
  now,
};
const linked: OAuthAccountEvent = {
  type: 'identity.oauth-account-linked',
  data: {
    accountId: 'a',
    userId: 'u',
    provider: 'google',
    providerAccountId: '1234',
    accessTokenCiphertext: 'v1.k.access',
    refreshTokenCiphertext: 'v1.k.refresh',
    idTokenCiphertext: null,
    expiresAt: expires.toISOString(),
    tokenType: 'Bearer',
    scope: 'email',
    sessionState: null,
    at,
  },
};
const unlinked: OAuthAccountEvent = { type: 'identity.oauth-account-unlinked', data: { accountId: 'a', userId: 'u', provider: 'google', providerAccountId: '1234', at } };
const code = (c: Code) => (e: IdentityError) => expect(e.code).toBe(c);

describe('oauth account decider', () => {
  it('links, re-links (new consent replaces the tokens) and links again after an unlink', () => {
    spec.given([]).when(link).then([linked]);
    spec.given([linked]).when({ ...link, accessTokenCiphertext: 'v1.k.access2' }).then([{ ...linked, data: { ...linked.data, accessTokenCiphertext: 'v1.k.access2' } }]);
    spec.given([linked, unlinked]).when(link).then([linked]);
  });

  it('never moves an account to another user', () => {
    spec.given([linked]).when({ ...link, userId: 'mallory' }).thenThrows(IdentityError, code(Code.OAuthAccountTaken));
  });

  it('refreshes tokens: what the provider did not rotate is left out (kept)', () => {
    spec.given([linked]).when({ kind: 'refresh-tokens', userId: 'u', accessTokenCiphertext: 'v1.k.access2', expiresAt: null, now }).then([
      { type: 'identity.oauth-account-tokens-refreshed', data: { accountId: 'a', userId: 'u', accessTokenCiphertext: 'v1.k.access2', expiresAt: null, at } },
    ]);
    spec.given([linked]).when({ kind: 'refresh-tokens', userId: 'u', accessTokenCiphertext: 'x', refreshTokenCiphertext: 'y', scope: 'email profile', expiresAt: expires, now }).then([
      {
        type: 'identity.oauth-account-tokens-refreshed',
        data: { accountId: 'a', userId: 'u', accessTokenCiphertext: 'x', refreshTokenCiphertext: 'y', scope: 'email profile', expiresAt: expires.toISOString(), at },
      },
    ]);
  });

  it('records the sync state and unlinks', () => {
    spec.given([linked]).when({ kind: 'set-sync-state', userId: 'u', syncState: { cursor: 'c1' }, now }).then([
      { type: 'identity.oauth-account-sync-state-changed', data: { accountId: 'a', userId: 'u', syncState: { cursor: 'c1' }, at } },
    ]);
    spec.given([linked]).when({ kind: 'unlink', userId: 'u', now }).then([unlinked]);
  });

  it("someone else's account, an unknown or an unlinked one is not found", () => {
    for (const c of [
      { kind: 'unlink', userId: 'mallory', now },
      { kind: 'set-sync-state', userId: 'mallory', syncState: {}, now },
      { kind: 'refresh-tokens', userId: 'mallory', accessTokenCiphertext: 'x', expiresAt: null, now },
    ] as OAuthAccountCommand[]) {
      spec.given([linked]).when(c).thenThrows(IdentityError, code(Code.OAuthAccountNotFound));
    }
    spec.given([]).when({ kind: 'unlink', userId: 'u', now }).thenThrows(IdentityError, code(Code.OAuthAccountNotFound));
    spec.given([linked, unlinked]).when({ kind: 'unlink', userId: 'u', now }).thenThrows(IdentityError, code(Code.OAuthAccountNotFound));
  });
});
