import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { ProfileChanges, UserEvent } from './user.events';

export type UserState =
  | { status: 'none' }
  | {
      status: 'registered';
      userId: string;
      active: boolean;
      superuser: boolean;
      emailVerified: boolean;
      /** Wrong passwords since the last success or lock. */
      failedLogins: number;
      /** Attempts admitted and not yet resolved: they hold a slot of the budget while their password is checked. */
      openAttempts: OpenAttempt[];
      /** ISO time; logins are refused before it. */
      lockedUntil: string | null;
      erased: boolean;
      /** The pending password reset (hash of the mailed token), cleared by any password change. */
      reset: { tokenHash: string; expiresAt: string } | null;
    };

interface OpenAttempt {
  attemptId: string;
  expiresAt: string;
}

export type UserCommand =
  | {
      kind: 'register';
      userId: string;
      email: string;
      firstName: string;
      lastName: string;
      passwordHash: string;
      organizationId: string | null;
      superuser: boolean;
      emailVerified: boolean;
      now: Date;
    }
  | { kind: 'verify-email'; now: Date }
  /** Before any password check: admits the attempt only within the failure budget (the lock lives here, not in a read model). */
  | { kind: 'admit-login'; attemptId: string; now: Date; maxFailures: number; lockMinutes: number }
  | { kind: 'record-login'; attemptId: string; sessionId: string; now: Date }
  | { kind: 'record-failed-login'; attemptId: string; now: Date; maxFailures: number; lockMinutes: number }
  | { kind: 'change-password'; passwordHash: string; now: Date }
  | { kind: 'request-password-reset'; tokenHash: string; expiresAt: Date; now: Date }
  | { kind: 'reset-password'; tokenHash: string; passwordHash: string; now: Date }
  | { kind: 'update-profile'; changes: ProfileChanges; now: Date }
  | { kind: 'set-status'; active?: boolean; superuser?: boolean; featureFlags?: Record<string, boolean>; now: Date };

export const isLocked = (s: UserState, now: Date) => s.status === 'registered' && s.lockedUntil !== null && Date.parse(s.lockedUntil) > now.getTime();

const refused = () => new IdentityError(Code.InvalidCredentials, 'Invalid email or password');
const open = (attempts: OpenAttempt[], at: number) => attempts.filter((a) => Date.parse(a.expiresAt) > at);
const without = (attempts: OpenAttempt[], attemptId: string | undefined) => attempts.filter((a) => a.attemptId !== attemptId);

function registered(s: UserState): Extract<UserState, { status: 'registered' }> {
  if (s.status !== 'registered') throw new IdentityError(Code.UserNotFound, 'No such user');
  return s;
}

/**
 * A user account: registration, email verification, logins and lockout, password and profile.
 * Password hashes and personal fields travel in events encrypted per data subject (the user).
 */
export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (s, e) => {
    switch (e.type) {
      case 'identity.user-registered':
        return {
          status: 'registered',
          userId: e.data.userId,
          active: true,
          superuser: e.data.superuser,
          emailVerified: e.data.emailVerified,
          failedLogins: 0,
          openAttempts: [],
          lockedUntil: null,
          erased: false,
          reset: null,
        };
      case 'identity.user-email-verified':
        return s.status === 'registered' ? { ...s, emailVerified: true } : s;
      case 'identity.user-login-attempted':
        // Expired attempts are dropped here, so the list never outgrows the budget.
        return s.status === 'registered'
          ? { ...s, openAttempts: [...open(s.openAttempts, Date.parse(e.data.at)), { attemptId: e.data.attemptId, expiresAt: e.data.expiresAt }] }
          : s;
      case 'identity.user-logged-in':
        return s.status === 'registered' ? { ...s, failedLogins: 0, lockedUntil: null, openAttempts: without(s.openAttempts, e.data.attemptId) } : s;
      case 'identity.user-login-failed':
        return s.status === 'registered' ? { ...s, failedLogins: e.data.consecutiveFailures, openAttempts: without(s.openAttempts, e.data.attemptId) } : s;
      case 'identity.user-locked-out':
        // A lock ends the window: after it, a fresh budget.
        return s.status === 'registered' ? { ...s, lockedUntil: e.data.until, failedLogins: 0, openAttempts: [] } : s;
      case 'identity.user-status-changed':
        return s.status === 'registered'
          ? { ...s, active: e.data.active ?? s.active, superuser: e.data.superuser ?? s.superuser }
          : s;
      case 'identity.user-password-changed':
        // A reset proves control of the mailbox: it also lifts a lockout.
        return s.status === 'registered'
          ? { ...s, reset: null, ...(e.data.via === 'reset' ? { lockedUntil: null, failedLogins: 0 } : {}) }
          : s;
      case 'identity.user-password-reset-requested':
        return s.status === 'registered' ? { ...s, reset: { tokenHash: e.data.tokenHash, expiresAt: e.data.expiresAt } } : s;
      case 'identity.user-profile-updated':
        return s;
      default:
        return assertNever(e);
    }
  },

  decide: (c, s) => {
    switch (c.kind) {
      case 'register': {
        if (s.status !== 'none') throw new IdentityError(Code.EmailTaken, 'This user already exists');
        return {
          type: 'identity.user-registered',
          data: {
            userId: c.userId,
            email: c.email,
            firstName: c.firstName,
            lastName: c.lastName,
            passwordHash: c.passwordHash,
            organizationId: c.organizationId,
            superuser: c.superuser,
            emailVerified: c.emailVerified,
            registeredAt: c.now.toISOString(),
          },
        };
      }
      case 'verify-email': {
        const u = registered(s);
        return u.emailVerified ? [] : { type: 'identity.user-email-verified', data: { userId: u.userId, at: c.now.toISOString() } };
      }
      case 'admit-login': {
        // Wrong guesses already made plus guesses being checked right now never exceed the budget,
        // however many requests race: each admission is an append at the stream's version.
        const u = registered(s);
        if (!u.active || isLocked(u, c.now)) throw refused();
        if (u.failedLogins + open(u.openAttempts, c.now.getTime()).length >= c.maxFailures) throw refused();
        const expiresAt = new Date(c.now.getTime() + c.lockMinutes * 60_000).toISOString();
        return { type: 'identity.user-login-attempted', data: { userId: u.userId, attemptId: c.attemptId, at: c.now.toISOString(), expiresAt } };
      }
      case 'record-login': {
        // Only an admitted, still open attempt may end in a session; a lock that started meanwhile wins.
        const u = registered(s);
        if (!u.active || isLocked(u, c.now) || !open(u.openAttempts, c.now.getTime()).some((a) => a.attemptId === c.attemptId)) throw refused();
        return { type: 'identity.user-logged-in', data: { userId: u.userId, sessionId: c.sessionId, at: c.now.toISOString(), attemptId: c.attemptId } };
      }
      case 'record-failed-login': {
        const u = registered(s);
        const failures = u.failedLogins + 1;
        const failed: UserEvent = { type: 'identity.user-login-failed', data: { userId: u.userId, at: c.now.toISOString(), consecutiveFailures: failures, attemptId: c.attemptId } };
        if (failures < c.maxFailures) return failed;
        const until = new Date(c.now.getTime() + c.lockMinutes * 60_000).toISOString();
        return [failed, { type: 'identity.user-locked-out', data: { userId: u.userId, until, failures } }];
      }
      case 'change-password': {
        const u = registered(s);
        return { type: 'identity.user-password-changed', data: { userId: u.userId, passwordHash: c.passwordHash, at: c.now.toISOString() } };
      }
      case 'request-password-reset': {
        const u = registered(s);
        if (!u.active) return [];
        return { type: 'identity.user-password-reset-requested', data: { userId: u.userId, tokenHash: c.tokenHash, expiresAt: c.expiresAt.toISOString(), at: c.now.toISOString() } };
      }
      case 'reset-password': {
        const u = registered(s);
        const r = u.reset;
        if (!u.active || !r || r.tokenHash !== c.tokenHash || Date.parse(r.expiresAt) <= c.now.getTime()) {
          throw new IdentityError(Code.PasswordResetInvalid, 'The reset link is not valid or has expired: ask for a new one');
        }
        const changed: UserEvent = { type: 'identity.user-password-changed', data: { userId: u.userId, passwordHash: c.passwordHash, at: c.now.toISOString(), via: 'reset' } };
        // The mailed token proves control of the mailbox: the rightful owner of an address squatted
        // before them gets a verified email this way (and can then accept invitations to it).
        return u.emailVerified ? changed : [changed, { type: 'identity.user-email-verified', data: { userId: u.userId, at: c.now.toISOString() } }];
      }
      case 'update-profile': {
        const u = registered(s);
        const changes = Object.fromEntries(Object.entries(c.changes).filter(([, v]) => v !== undefined)) as ProfileChanges;
        if (Object.keys(changes).length === 0) return [];
        return { type: 'identity.user-profile-updated', data: { userId: u.userId, changes, at: c.now.toISOString() } };
      }
      case 'set-status': {
        const u = registered(s);
        const data = {
          userId: u.userId,
          ...(c.active !== undefined && c.active !== u.active ? { active: c.active } : {}),
          ...(c.superuser !== undefined && c.superuser !== u.superuser ? { superuser: c.superuser } : {}),
          ...(c.featureFlags !== undefined ? { featureFlags: c.featureFlags } : {}),
        };
        if (Object.keys(data).length === 1) return [];
        return { type: 'identity.user-status-changed', data: { ...data, at: c.now.toISOString() } };
      }
      default:
        return assertNever(c);
    }
  },
};
