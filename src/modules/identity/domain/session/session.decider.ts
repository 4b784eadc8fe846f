import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';

/**
 * A login session = one refresh-token family. Each refresh rotates the token; presenting a
 * token of the family that was already rotated away is a theft signal (RFC 6749 security BCP,
 * "refresh token reuse detection"): the whole family is revoked.
 */
export type SessionRevokeReason = 'logout' | 'logout-all' | 'password-changed' | 'refresh-token-reuse' | 'user-deactivated';

export type SessionEvent =
  | {
      type: 'identity.session-started';
      data: { sessionId: string; userId: string; tokenHash: string; expiresAt: string; userAgent: string | null; ip: string | null; at: string };
    }
  | { type: 'identity.session-refreshed'; data: { sessionId: string; userId: string; tokenHash: string; at: string } }
  | { type: 'identity.session-revoked'; data: { sessionId: string; userId: string; reason: SessionRevokeReason; at: string } }
  | { type: 'identity.session-workspace-selected'; data: { sessionId: string; userId: string; workspaceId: string | null; at: string } };

export type SessionState =
  | { status: 'none' }
  | { status: 'active' | 'revoked'; sessionId: string; userId: string; currentHash: string; usedHashes: string[]; expiresAt: string };

export type SessionCommand =
  | { kind: 'start'; sessionId: string; userId: string; tokenHash: string; expiresAt: Date; userAgent: string | null; ip: string | null; now: Date }
  | { kind: 'refresh'; presentedHash: string; newHash: string; now: Date }
  | { kind: 'revoke'; reason: SessionRevokeReason; now: Date }
  | { kind: 'select-workspace'; workspaceId: string | null; now: Date };

export const sessionDecider: Decider<SessionCommand, SessionState, SessionEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'identity.session-started':
        return { status: 'active', sessionId: e.data.sessionId, userId: e.data.userId, currentHash: e.data.tokenHash, usedHashes: [], expiresAt: e.data.expiresAt };
      case 'identity.session-refreshed':
        return s.status === 'none' ? s : { ...s, usedHashes: [...s.usedHashes, s.currentHash], currentHash: e.data.tokenHash };
      case 'identity.session-revoked':
        return s.status === 'none' ? s : { ...s, status: 'revoked' };
      case 'identity.session-workspace-selected':
        return s;
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'start':
        if (s.status !== 'none') throw new IdentityError(Code.SessionNotFound, 'Session ids are never reused');
        return {
          type: 'identity.session-started',
          data: { sessionId: c.sessionId, userId: c.userId, tokenHash: c.tokenHash, expiresAt: c.expiresAt.toISOString(), userAgent: c.userAgent, ip: c.ip, at },
        };
      case 'refresh': {
        if (s.status === 'none' || s.status === 'revoked') throw new IdentityError(Code.RefreshTokenInvalid, 'The refresh token is not valid');
        if (Date.parse(s.expiresAt) <= c.now.getTime()) throw new IdentityError(Code.RefreshTokenInvalid, 'The refresh token has expired');
        if (s.currentHash === c.presentedHash) {
          return { type: 'identity.session-refreshed', data: { sessionId: s.sessionId, userId: s.userId, tokenHash: c.newHash, at } };
        }
        if (s.usedHashes.includes(c.presentedHash)) {
          // The handler answers 401 REFRESH_TOKEN_REUSED after this is stored.
          return { type: 'identity.session-revoked', data: { sessionId: s.sessionId, userId: s.userId, reason: 'refresh-token-reuse', at } };
        }
        throw new IdentityError(Code.RefreshTokenInvalid, 'The refresh token is not valid');
      }
      case 'revoke':
        if (s.status === 'none') throw new IdentityError(Code.SessionNotFound, 'No such session');
        return s.status === 'revoked' ? [] : { type: 'identity.session-revoked', data: { sessionId: s.sessionId, userId: s.userId, reason: c.reason, at } };
      case 'select-workspace':
        if (s.status !== 'active') throw new IdentityError(Code.SessionNotFound, 'No such session');
        return { type: 'identity.session-workspace-selected', data: { sessionId: s.sessionId, userId: s.userId, workspaceId: c.workspaceId, at } };
      default:
        return assertNever(c);
    }
  },
};
