import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { SignupRequestEvent } from '@modules/identity/domain/signup-request/signup-request.decider';
import { SignupRequestsProjection } from '@modules/identity/projections/signup-requests.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const signupRequestId = '0193a000-0000-7000-8000-0000000000f1';
const userId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-27T10:05:00.000Z';
const expiresAt = '2026-11-27T10:30:00.000Z';
const requested: SignupRequestEvent = {
  type: 'identity.signup-requested',
  data: { signupRequestId, userId, email: 'Ann@Example.com', firstName: 'Ann', lastName: 'Lee', passwordHash: null, organizationName: null, pinHash: 'ph', pinSalt: 'ps', expiresAt, at },
};
const request = { id: signupRequestId, user_id: userId, email_hash: 'hash(ann@example.com)', pin_hash: 'ph', pin_salt: 'ps', attempt_count: 0, status: 'pending', expires_at: expiresAt, used_at: null, created_at: at };

describe('SignupRequestsProjection (identity_signup_requests_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  // The email is kept only as the hash the module computes; a readable stand-in here.
  const spec = ProjectionSpecification<SignupRequestEvent>(new SignupRequestsProjection((email) => `hash(${email.toLowerCase()})`), () => db.pool);

  it('records a pending request with the email as a hash only', async () => {
    await spec.given([]).when([requested]).then([request]);
  });

  it('counts failed PINs, then verifies', async () => {
    const failed: SignupRequestEvent = { type: 'identity.signup-pin-failed', data: { signupRequestId, attempts: 2, at } };
    await spec.given([requested]).when([failed]).then([{ ...request, attempt_count: 2 }]);
    await spec
      .given([requested, failed])
      .when([{ type: 'identity.signup-verified', data: { signupRequestId, userId, at: later } }])
      .then([{ ...request, attempt_count: 2, status: 'verified', used_at: later }]);
  });

  it('a redelivered failure changes nothing (the attempt count is carried, not added)', async () => {
    const failed: SignupRequestEvent = { type: 'identity.signup-pin-failed', data: { signupRequestId, attempts: 1, at } };
    await spec.given([requested, failed]).when([failed]).then([{ ...request, attempt_count: 1 }]);
  });
});
