import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';

export const OAUTH_PROVIDERS = ['google', 'microsoft', 'github', 'slack'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

/**
 * A SecretBox token (`v1.<keyId>.<iv>.<tag>.<ciphertext>`). OAuth tokens are sealed BEFORE they
 * reach this decider: events are immutable and kept forever, so no token is ever in one in clear.
 */
export type SealedToken = string;

/**
 * A user's account at an OAuth provider (seed 004 accounts). One stream per account; the
 * (provider, providerAccountId) pair is unique across users through a claim stream.
 */
export type OAuthAccountEvent =
  | {
      type: 'identity.oauth-account-linked';
      data: {
        accountId: string;
        userId: string;
        provider: OAuthProvider;
        providerAccountId: string;
        accessTokenCiphertext: SealedToken;
        refreshTokenCiphertext: SealedToken | null;
        idTokenCiphertext: SealedToken | null;
        expiresAt: string | null;
        tokenType: string | null;
        scope: string | null;
        sessionState: string | null;
        at: string;
      };
    }
  | {
      type: 'identity.oauth-account-tokens-refreshed';
      data: {
        accountId: string;
        userId: string;
        accessTokenCiphertext: SealedToken;
        /** Absent: the provider did not rotate it, the previous one stays. */
        refreshTokenCiphertext?: SealedToken;
        idTokenCiphertext?: SealedToken;
        expiresAt: string | null;
        tokenType?: string;
        scope?: string;
        at: string;
      };
    }
  | { type: 'identity.oauth-account-sync-state-changed'; data: { accountId: string; userId: string; syncState: Record<string, unknown>; at: string } }
  | { type: 'identity.oauth-account-unlinked'; data: { accountId: string; userId: string; provider: OAuthProvider; providerAccountId: string; at: string } };

interface KnownAccount {
  accountId: string;
  userId: string;
  provider: OAuthProvider;
  providerAccountId: string;
}

export type OAuthAccountState = { status: 'none' } | ({ status: 'linked' } & KnownAccount) | ({ status: 'unlinked' } & KnownAccount);

export type OAuthAccountCommand =
  | {
      kind: 'link';
      accountId: string;
      userId: string;
      provider: OAuthProvider;
      providerAccountId: string;
      accessTokenCiphertext: SealedToken;
      refreshTokenCiphertext: SealedToken | null;
      idTokenCiphertext: SealedToken | null;
      expiresAt: Date | null;
      tokenType: string | null;
      scope: string | null;
      sessionState: string | null;
      now: Date;
    }
  | {
      kind: 'refresh-tokens';
      userId: string;
      accessTokenCiphertext: SealedToken;
      refreshTokenCiphertext?: SealedToken;
      idTokenCiphertext?: SealedToken;
      expiresAt: Date | null;
      tokenType?: string;
      scope?: string;
      now: Date;
    }
  | { kind: 'set-sync-state'; userId: string; syncState: Record<string, unknown>; now: Date }
  | { kind: 'unlink'; userId: string; now: Date };

/** Someone else's account, or one that is not linked, is "not found", never "forbidden". */
function linkedTo(s: OAuthAccountState, userId: string): Extract<OAuthAccountState, { status: 'linked' }> {
  if (s.status !== 'linked' || s.userId !== userId) throw new IdentityError(Code.OAuthAccountNotFound, 'No such OAuth account');
  return s;
}

export const oauthAccountDecider: Decider<OAuthAccountCommand, OAuthAccountState, OAuthAccountEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (s, e) => {
    switch (e.type) {
      case 'identity.oauth-account-linked': {
        const { accountId, userId, provider, providerAccountId } = e.data;
        return { status: 'linked', accountId, userId, provider, providerAccountId };
      }
      case 'identity.oauth-account-unlinked':
        return s.status === 'none' ? s : { ...s, status: 'unlinked' };
      case 'identity.oauth-account-tokens-refreshed':
      case 'identity.oauth-account-sync-state-changed':
        return s;
      default:
        return assertNever(e);
    }
  },

  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'link': {
        // A re-link (new consent at the provider) replaces the tokens; never across users.
        if (s.status !== 'none' && (s.userId !== c.userId || s.provider !== c.provider || s.providerAccountId !== c.providerAccountId)) {
          throw new IdentityError(Code.OAuthAccountTaken, 'This OAuth account is linked to someone else');
        }
        return {
          type: 'identity.oauth-account-linked',
          data: {
            accountId: c.accountId,
            userId: c.userId,
            provider: c.provider,
            providerAccountId: c.providerAccountId,
            accessTokenCiphertext: c.accessTokenCiphertext,
            refreshTokenCiphertext: c.refreshTokenCiphertext,
            idTokenCiphertext: c.idTokenCiphertext,
            expiresAt: c.expiresAt?.toISOString() ?? null,
            tokenType: c.tokenType,
            scope: c.scope,
            sessionState: c.sessionState,
            at,
          },
        };
      }
      case 'refresh-tokens': {
        const a = linkedTo(s, c.userId);
        return {
          type: 'identity.oauth-account-tokens-refreshed',
          data: {
            accountId: a.accountId,
            userId: a.userId,
            accessTokenCiphertext: c.accessTokenCiphertext,
            ...(c.refreshTokenCiphertext !== undefined ? { refreshTokenCiphertext: c.refreshTokenCiphertext } : {}),
            ...(c.idTokenCiphertext !== undefined ? { idTokenCiphertext: c.idTokenCiphertext } : {}),
            expiresAt: c.expiresAt?.toISOString() ?? null,
            ...(c.tokenType !== undefined ? { tokenType: c.tokenType } : {}),
            ...(c.scope !== undefined ? { scope: c.scope } : {}),
            at,
          },
        };
      }
      case 'set-sync-state': {
        const a = linkedTo(s, c.userId);
        return { type: 'identity.oauth-account-sync-state-changed', data: { accountId: a.accountId, userId: a.userId, syncState: c.syncState, at } };
      }
      case 'unlink': {
        const a = linkedTo(s, c.userId);
        return { type: 'identity.oauth-account-unlinked', data: { accountId: a.accountId, userId: a.userId, provider: a.provider, providerAccountId: a.providerAccountId, at } };
      }
      default:
        return assertNever(c);
    }
  },
};
