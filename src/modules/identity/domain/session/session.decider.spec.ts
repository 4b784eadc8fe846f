import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { SessionEvent, sessionDecider } from './session.decider';

const spec = DeciderSpecification(sessionDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const started: SessionEvent = { type: 'identity.session-started', data: { sessionId: 's', userId: 'u', tokenHash: 'h1', expiresAt: '2026-12-27T10:00:00.000Z', userAgent: null, ip: null, at } };
const rotated: SessionEvent = { type: 'identity.session-refreshed', data: { sessionId: 's', userId: 'u', tokenHash: 'h2', at } };

describe('session decider (refresh-token family)', () => {
  it('rotates the current token', () => {
    spec.given([started]).when({ kind: 'refresh', presentedHash: 'h1', newHash: 'h2', now }).then([rotated]);
  });

  it('revokes the family when a rotated-away token comes back (reuse detection)', () => {
    spec.given([started, rotated]).when({ kind: 'refresh', presentedHash: 'h1', newHash: 'h3', now }).then([
      { type: 'identity.session-revoked', data: { sessionId: 's', userId: 'u', reason: 'refresh-token-reuse', at } },
    ]);
  });

  it('refuses unknown tokens, revoked sessions and expired ones', () => {
    spec.given([started]).when({ kind: 'refresh', presentedHash: 'zz', newHash: 'h2', now }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.RefreshTokenInvalid));
    const revoked: SessionEvent = { type: 'identity.session-revoked', data: { sessionId: 's', userId: 'u', reason: 'logout', at } };
    spec.given([started, revoked]).when({ kind: 'refresh', presentedHash: 'h1', newHash: 'h2', now }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.RefreshTokenInvalid));
    spec.given([started]).when({ kind: 'refresh', presentedHash: 'h1', newHash: 'h2', now: new Date('2027-01-01T00:00:00Z') }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.RefreshTokenInvalid));
  });
});
