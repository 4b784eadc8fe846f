import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { SignupRequestEvent, signupRequestDecider } from './signup-request.decider';

const spec = DeciderSpecification(signupRequestDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const requested: SignupRequestEvent = {
  type: 'identity.signup-requested',
  data: { signupRequestId: 'r', userId: 'u', email: 'a@x.io', firstName: 'A', lastName: 'B', passwordHash: null, organizationName: null, pinHash: 'good', pinSalt: 's', expiresAt: '2026-11-27T10:15:00.000Z', at },
};
const failed = (n: number): SignupRequestEvent => ({ type: 'identity.signup-pin-failed', data: { signupRequestId: 'r', attempts: n, at } });

describe('sign-up request decider (PIN)', () => {
  it('verifies the right PIN once', () => {
    spec.given([requested]).when({ kind: 'verify', presentedHash: 'good', maxAttempts: 5, now }).then([{ type: 'identity.signup-verified', data: { signupRequestId: 'r', userId: 'u', at } }]);
    spec.given([requested, { type: 'identity.signup-verified', data: { signupRequestId: 'r', userId: 'u', at } }])
      .when({ kind: 'verify', presentedHash: 'good', maxAttempts: 5, now })
      .thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.SignupAlreadyCompleted));
  });

  it('counts wrong PINs, then refuses even the right one', () => {
    spec.given([requested, failed(1)]).when({ kind: 'verify', presentedHash: 'bad', maxAttempts: 5, now }).then([failed(2)]);
    spec.given([requested, failed(1), failed(2), failed(3), failed(4), failed(5)])
      .when({ kind: 'verify', presentedHash: 'good', maxAttempts: 5, now })
      .thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.PinAttemptsExhausted));
  });

  it('refuses an expired PIN, right or wrong', () => {
    const later = new Date('2026-11-27T10:15:00Z');
    spec.given([requested]).when({ kind: 'verify', presentedHash: 'good', maxAttempts: 5, now: later }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.PinExpired));
  });
});
