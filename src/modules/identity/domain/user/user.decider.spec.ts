import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode } from '@modules/identity/domain/identity.errors';
import { userDecider } from './user.decider';
import { UserEvent } from './user.events';

const spec = DeciderSpecification(userDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const registered: UserEvent = {
  type: 'identity.user-registered',
  data: { userId: 'u', email: 'a@x.io', firstName: 'A', lastName: 'B', passwordHash: 'h', organizationId: null, superuser: false, emailVerified: false, registeredAt: at },
};
const fail = (n: number, attemptId?: string): UserEvent => ({ type: 'identity.user-login-failed', data: { userId: 'u', at, consecutiveFailures: n, ...(attemptId ? { attemptId } : {}) } });
const inAMinute = '2026-11-27T10:01:00.000Z';
const attempted = (attemptId: string, expiresAt = '2026-11-27T10:15:00.000Z'): UserEvent => ({ type: 'identity.user-login-attempted', data: { userId: 'u', attemptId, at, expiresAt } });
const admit = (attemptId: string, when = now) => ({ kind: 'admit-login' as const, attemptId, now: when, maxFailures: 5, lockMinutes: 15 });
const failed = (attemptId: string) => ({ kind: 'record-failed-login' as const, attemptId, now, maxFailures: 5, lockMinutes: 15 });
const locked: UserEvent = { type: 'identity.user-locked-out', data: { userId: 'u', until: '2026-11-27T10:15:00.000Z', failures: 5 } };

describe('user decider (lockout)', () => {
  it('counts failures and locks at the limit', () => {
    spec.given([registered, fail(1), fail(2), fail(3), attempted('a4')]).when(failed('a4')).then([fail(4, 'a4')]);
    spec.given([registered, fail(1), fail(2), fail(3), fail(4), attempted('a5')]).when(failed('a5')).then([fail(5, 'a5'), locked]);
  });

  it('a successful login resets the count', () => {
    const ok: UserEvent = { type: 'identity.user-logged-in', data: { userId: 'u', sessionId: 's', at } };
    spec.given([registered, fail(1), fail(2), fail(3), fail(4), ok, attempted('a')]).when(failed('a')).then([fail(1, 'a')]);
  });
});

describe('user decider (login admission: the lock holds under concurrency)', () => {
  it('admits an attempt before its password is checked', () => {
    spec.given([registered]).when(admit('a1')).then([attempted('a1')]);
  });

  it('counts attempts being checked against the budget: no more than 5 guesses in flight or made', () => {
    const fiveOpen = [registered, attempted('a1'), attempted('a2'), attempted('a3'), attempted('a4'), attempted('a5')];
    spec.given(fiveOpen).when(admit('a6')).thenThrows(IdentityError, (e) => expect(e.code).toBe(IdentityErrorCode.InvalidCredentials));
    spec.given([registered, fail(1), fail(2), fail(3), attempted('a4'), attempted('a5')]).when(admit('a6')).thenThrows(IdentityError);
    spec.given([registered, fail(1), fail(2), fail(3), attempted('a4')]).when(admit('a5')).then([attempted('a5')]);
  });

  it('frees the slot of a successful attempt', () => {
    const ok: UserEvent = { type: 'identity.user-logged-in', data: { userId: 'u', sessionId: 's', at, attemptId: 'a1' } };
    spec.given([registered, attempted('a1'), attempted('a2'), attempted('a3'), attempted('a4'), attempted('a5'), ok]).when(admit('a6')).then([attempted('a6')]);
  });

  it('refuses every attempt while locked, even one that would have the right password, and admits again after the lock', () => {
    const lockedOut = [registered, fail(1), fail(2), fail(3), fail(4), fail(5), locked];
    spec.given(lockedOut).when(admit('a6')).thenThrows(IdentityError, (e) => expect(e.code).toBe(IdentityErrorCode.InvalidCredentials));
    spec.given(lockedOut).when(admit('a6', new Date('2026-11-27T10:15:00Z'))).then([
      { type: 'identity.user-login-attempted', data: { userId: 'u', attemptId: 'a6', at: '2026-11-27T10:15:00.000Z', expiresAt: '2026-11-27T10:30:00.000Z' } },
    ]);
  });

  it('refuses a deactivated account before any password check', () => {
    const off: UserEvent = { type: 'identity.user-status-changed', data: { userId: 'u', active: false, at } };
    spec.given([registered, off]).when(admit('a1')).thenThrows(IdentityError);
  });

  it('lets an abandoned attempt (a crash before its outcome) hold its slot only until it expires', () => {
    const abandoned = [registered, attempted('a1', inAMinute), attempted('a2', inAMinute), attempted('a3', inAMinute), attempted('a4', inAMinute), attempted('a5', inAMinute)];
    spec.given(abandoned).when(admit('a6')).thenThrows(IdentityError);
    spec.given(abandoned).when(admit('a6', new Date(inAMinute))).then([
      { type: 'identity.user-login-attempted', data: { userId: 'u', attemptId: 'a6', at: inAMinute, expiresAt: '2026-11-27T10:16:00.000Z' } },
    ]);
  });

  it('records a login only for an admitted, open attempt, and never while locked', () => {
    const login = (attemptId: string) => ({ kind: 'record-login' as const, attemptId, sessionId: 's', now });
    spec.given([registered, attempted('a1')]).when(login('a1')).then([{ type: 'identity.user-logged-in', data: { userId: 'u', sessionId: 's', at, attemptId: 'a1' } }]);
    spec.given([registered]).when(login('a1')).thenThrows(IdentityError);
    spec.given([registered, attempted('a1'), fail(1, 'a1')]).when(login('a1')).thenThrows(IdentityError);
    spec.given([registered, attempted('a1'), fail(1), fail(2), fail(3), fail(4), fail(5), locked]).when(login('a1')).thenThrows(IdentityError);
  });
});

describe('user decider (profile)', () => {
  it('profile updates keep only what changed', () => {
    spec.given([registered]).when({ kind: 'update-profile', changes: { timezone: 'Europe/Paris', jobTitle: undefined }, now }).then([
      { type: 'identity.user-profile-updated', data: { userId: 'u', changes: { timezone: 'Europe/Paris' }, at } },
    ]);
    spec.given([registered]).when({ kind: 'update-profile', changes: {}, now }).thenNothingHappened();
  });
});

describe('user decider (password reset)', () => {
  const requested: UserEvent = { type: 'identity.user-password-reset-requested', data: { userId: 'u', tokenHash: 't', expiresAt: '2026-11-27T11:00:00.000Z', at } };
  it('resets with the pending token before it expires, and only once', () => {
    // The mailed token proves the mailbox: an unverified email becomes verified.
    spec.given([registered, requested]).when({ kind: 'reset-password', tokenHash: 't', passwordHash: 'p2', now }).then([
      { type: 'identity.user-password-changed', data: { userId: 'u', passwordHash: 'p2', at, via: 'reset' } },
      { type: 'identity.user-email-verified', data: { userId: 'u', at } },
    ]);
    const verified: UserEvent = { type: 'identity.user-email-verified', data: { userId: 'u', at } };
    spec.given([registered, verified, requested]).when({ kind: 'reset-password', tokenHash: 't', passwordHash: 'p2', now }).then([
      { type: 'identity.user-password-changed', data: { userId: 'u', passwordHash: 'p2', at, via: 'reset' } },
    ]);
    const changed: UserEvent = { type: 'identity.user-password-changed', data: { userId: 'u', passwordHash: 'p2', at, via: 'reset' } };
    spec.given([registered, requested, changed]).when({ kind: 'reset-password', tokenHash: 't', passwordHash: 'p3', now }).thenThrows(Error);
    spec.given([registered, requested]).when({ kind: 'reset-password', tokenHash: 'other', passwordHash: 'p2', now }).thenThrows(Error);
    spec.given([registered, requested]).when({ kind: 'reset-password', tokenHash: 't', passwordHash: 'p2', now: new Date('2026-11-27T11:00:00Z') }).thenThrows(Error);
  });
});
