import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { UserEvent } from '@modules/identity/domain/user/user.events';
import { UsersProjection } from '@modules/identity/projections/users.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

type SubjectErased = { type: 'privacy.subject-erased'; data: { subjectId: string } };

const userId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const registered: UserEvent = {
  type: 'identity.user-registered',
  data: { userId, email: 'Ann@Example.com', firstName: 'Ann', lastName: 'Lee', passwordHash: 'hash-1', organizationId: null, superuser: false, emailVerified: false, registeredAt: at },
};
const columns = ['id', 'email', 'email_lower', 'password_hash', 'first_name', 'last_name', 'phone', 'timezone', 'is_active', 'is_superuser', 'email_verified_at', 'last_login_at', 'failed_logins', 'locked_until', 'erased', 'updated_at'];
const user = {
  id: userId,
  email: 'Ann@Example.com',
  email_lower: 'ann@example.com',
  password_hash: 'hash-1',
  first_name: 'Ann',
  last_name: 'Lee',
  phone: null,
  timezone: 'UTC',
  is_active: true,
  is_superuser: false,
  email_verified_at: null,
  last_login_at: null,
  failed_logins: 0,
  locked_until: null,
  erased: false,
  updated_at: null,
};

describe('UsersProjection (identity_users_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<UserEvent | SubjectErased>(new UsersProjection(), () => db.pool, { columns });

  it('registers a user with a lower-cased email for login lookups', async () => {
    await spec.given([]).when([registered]).then([user]);
  });

  it('verifies the email and updates the profile (absent fields keep their value)', async () => {
    await spec
      .given([registered])
      .when([
        { type: 'identity.user-email-verified', data: { userId, at } },
        { type: 'identity.user-profile-updated', data: { userId, changes: { firstName: 'Anna', phone: '+15550100', timezone: 'Europe/Berlin' }, at: later } },
      ])
      .then([{ ...user, first_name: 'Anna', phone: '+15550100', timezone: 'Europe/Berlin', email_verified_at: at, updated_at: later }]);
  });

  it('counts failed logins, locks out, and a reset password unlocks', async () => {
    const until = '2026-11-27T10:15:00.000Z';
    await spec
      .given([registered, { type: 'identity.user-login-failed', data: { userId, at, consecutiveFailures: 4 } }])
      .when([{ type: 'identity.user-locked-out', data: { userId, until, failures: 5 } }])
      .then([{ ...user, failed_logins: 0, locked_until: until }]);
    await spec
      .given([registered, { type: 'identity.user-locked-out', data: { userId, until, failures: 5 } }])
      .when([{ type: 'identity.user-password-changed', data: { userId, passwordHash: 'hash-2', at: later, via: 'reset' } }])
      .then([{ ...user, password_hash: 'hash-2', updated_at: later }]);
    await spec
      .given([registered, { type: 'identity.user-login-failed', data: { userId, at, consecutiveFailures: 2 } }])
      .when([{ type: 'identity.user-logged-in', data: { userId, sessionId: 's', at: later } }])
      .then([{ ...user, last_login_at: later }]);
  });

  it('changes status and super-user rights', async () => {
    await spec
      .given([registered])
      .when([{ type: 'identity.user-status-changed', data: { userId, active: false, superuser: true, at: later } }])
      .then([{ ...user, is_active: false, is_superuser: true, updated_at: later }]);
  });

  it('forgets the person when their subject is erased; other subjects are not ours', async () => {
    const erasedAt = new Date('2026-12-01T00:00:00.000Z');
    await spec
      .given([registered])
      .when([
        { type: 'privacy.subject-erased', data: { subjectId: userId }, recordedAt: erasedAt },
        { type: 'privacy.subject-erased', data: { subjectId: 'source-contact:x' } },
      ])
      .then([{ ...user, email: '[erased]', email_lower: null, password_hash: null, first_name: '[erased]', last_name: '[erased]', is_active: false, erased: true, updated_at: erasedAt.toISOString() }]);
  });

  it('reads a registration whose personal fields were shredded as erased (rebuild after erasure)', async () => {
    const shredded: UserEvent = { type: 'identity.user-registered', data: { ...registered.data, email: '[erased]', passwordHash: '[erased]', firstName: '[erased]', lastName: '[erased]' } };
    await spec
      .given([])
      .when([{ ...shredded, erasedFields: ['email', 'firstName', 'lastName', 'passwordHash'] }])
      .then([{ ...user, email: '[erased]', email_lower: null, password_hash: null, first_name: '[erased]', last_name: '[erased]', erased: true }]);
  });

  it('ignores events of a user it never saw, and a redelivered event changes nothing', async () => {
    await spec.given([]).when([{ type: 'identity.user-email-verified', data: { userId, at } }]).then([]);
    const verified: UserEvent = { type: 'identity.user-email-verified', data: { userId, at: later } };
    await spec.given([registered, verified]).when([verified]).then([{ ...user, email_verified_at: later, updated_at: later }]);
  });
});
