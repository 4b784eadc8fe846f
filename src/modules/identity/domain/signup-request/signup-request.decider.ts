import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';

/**
 * Email verification by PIN (seed 002 signup_requests): the PIN is stored as a salted hash,
 * with an attempt limit and an expiry; a used request cannot be used again.
 */
export type SignupRequestEvent =
  | {
      type: 'identity.signup-requested';
      data: {
        signupRequestId: string;
        userId: string;
        email: string;
        firstName: string;
        lastName: string;
        passwordHash: string | null;
        organizationName: string | null;
        pinHash: string;
        pinSalt: string;
        expiresAt: string;
        at: string;
      };
    }
  | { type: 'identity.signup-pin-failed'; data: { signupRequestId: string; attempts: number; at: string } }
  | { type: 'identity.signup-verified'; data: { signupRequestId: string; userId: string; at: string } };

export const signupRequestPersonalData: Record<string, { subject: string; fields: string[] }> = {
  // The subject is the future user: erasing the user erases their sign-up request too.
  'identity.signup-requested': { subject: 'userId', fields: ['email', 'firstName', 'lastName', 'passwordHash'] },
};

/** What the account will be made of when the PIN arrives (REQUIRE_EMAIL_VERIFICATION mode). */
export interface PendingRegistration {
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string | null;
  organizationName: string | null;
}

export type SignupRequestState =
  | { status: 'none' }
  | {
      status: 'pending' | 'verified' | 'exhausted';
      signupRequestId: string;
      userId: string;
      pinHash: string;
      attempts: number;
      expiresAt: string;
      registration: PendingRegistration;
    };

export type SignupRequestCommand =
  | {
      kind: 'request';
      signupRequestId: string;
      userId: string;
      email: string;
      firstName: string;
      lastName: string;
      passwordHash: string | null;
      organizationName: string | null;
      pinHash: string;
      pinSalt: string;
      expiresAt: Date;
      now: Date;
    }
  /** `presentedHash` = hash(salt, pin) computed by the caller with the request's salt. */
  | { kind: 'verify'; presentedHash: string; maxAttempts: number; now: Date };

/** Constant-time string equality, pure (the domain imports no node crypto). */
function sameHash(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

export const signupRequestDecider: Decider<SignupRequestCommand, SignupRequestState, SignupRequestEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'identity.signup-requested':
        return {
          status: 'pending',
          signupRequestId: e.data.signupRequestId,
          userId: e.data.userId,
          pinHash: e.data.pinHash,
          attempts: 0,
          expiresAt: e.data.expiresAt,
          registration: {
            email: e.data.email,
            firstName: e.data.firstName,
            lastName: e.data.lastName,
            passwordHash: e.data.passwordHash,
            organizationName: e.data.organizationName,
          },
        };
      case 'identity.signup-pin-failed':
        return s.status === 'none' ? s : { ...s, attempts: e.data.attempts };
      case 'identity.signup-verified':
        return s.status === 'none' ? s : { ...s, status: 'verified' };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'request':
        if (s.status !== 'none') throw new IdentityError(Code.SignupAlreadyCompleted, 'This sign-up request exists');
        return {
          type: 'identity.signup-requested',
          data: {
            signupRequestId: c.signupRequestId,
            userId: c.userId,
            email: c.email,
            firstName: c.firstName,
            lastName: c.lastName,
            passwordHash: c.passwordHash,
            organizationName: c.organizationName,
            pinHash: c.pinHash,
            pinSalt: c.pinSalt,
            expiresAt: c.expiresAt.toISOString(),
            at,
          },
        };
      case 'verify': {
        if (s.status === 'none') throw new IdentityError(Code.PinInvalid, 'The PIN is not valid');
        if (s.status === 'verified') throw new IdentityError(Code.SignupAlreadyCompleted, 'This email is already verified');
        if (s.status === 'exhausted' || s.attempts >= c.maxAttempts) throw new IdentityError(Code.PinAttemptsExhausted, 'Too many wrong PINs: sign up again for a new one');
        if (Date.parse(s.expiresAt) <= c.now.getTime()) throw new IdentityError(Code.PinExpired, 'The PIN has expired: sign up again for a new one');
        if (sameHash(s.pinHash, c.presentedHash)) return { type: 'identity.signup-verified', data: { signupRequestId: s.signupRequestId, userId: s.userId, at } };
        // Recorded, then refused by the handler (a decider cannot both emit and throw).
        return { type: 'identity.signup-pin-failed', data: { signupRequestId: s.signupRequestId, attempts: s.attempts + 1, at } };
      }
      default:
        return assertNever(c);
    }
  },
};
