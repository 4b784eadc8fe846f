import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { userDecider } from './user.decider';
import { UserEvent } from './user.events';

const spec = DeciderSpecification(userDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const registered: UserEvent = {
  type: 'identity.user-registered',
  data: { userId: 'u', email: 'a@x.io', firstName: 'A', lastName: 'B', passwordHash: 'h', organizationId: null, superuser: false, emailVerified: false, registeredAt: at },
};
const fail = (n: number): UserEvent => ({ type: 'identity.user-login-failed', data: { userId: 'u', at, consecutiveFailures: n } });

describe('user decider (lockout)', () => {
  it('counts failures and locks at the limit', () => {
    spec.given([registered, fail(1), fail(2), fail(3)]).when({ kind: 'record-failed-login', now, maxFailures: 5, lockMinutes: 15 }).then([fail(4)]);
    spec.given([registered, fail(1), fail(2), fail(3), fail(4)]).when({ kind: 'record-failed-login', now, maxFailures: 5, lockMinutes: 15 }).then([
      fail(5),
      { type: 'identity.user-locked-out', data: { userId: 'u', until: '2026-11-27T10:15:00.000Z', failures: 5 } },
    ]);
  });

  it('a successful login resets the count', () => {
    const ok: UserEvent = { type: 'identity.user-logged-in', data: { userId: 'u', sessionId: 's', at } };
    spec.given([registered, fail(1), fail(2), fail(3), fail(4), ok]).when({ kind: 'record-failed-login', now, maxFailures: 5, lockMinutes: 15 }).then([fail(1)]);
  });

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
    spec.given([registered, requested]).when({ kind: 'reset-password', tokenHash: 't', passwordHash: 'p2', now }).then([
      { type: 'identity.user-password-changed', data: { userId: 'u', passwordHash: 'p2', at, via: 'reset' } },
    ]);
    const changed: UserEvent = { type: 'identity.user-password-changed', data: { userId: 'u', passwordHash: 'p2', at, via: 'reset' } };
    spec.given([registered, requested, changed]).when({ kind: 'reset-password', tokenHash: 't', passwordHash: 'p3', now }).thenThrows(Error);
    spec.given([registered, requested]).when({ kind: 'reset-password', tokenHash: 'other', passwordHash: 'p2', now }).thenThrows(Error);
    spec.given([registered, requested]).when({ kind: 'reset-password', tokenHash: 't', passwordHash: 'p2', now: new Date('2026-11-27T11:00:00Z') }).thenThrows(Error);
  });
});
