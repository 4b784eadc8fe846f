import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { OrganizationEvent } from '@modules/identity/domain/organization/organization.decider';
import { OrganizationsProjection } from '@modules/identity/projections/organizations.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const organizationId = '0193a000-0000-7000-8000-0000000000a1';
const createdBy = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const created: OrganizationEvent = {
  type: 'identity.organization-created',
  data: { organizationId, name: 'Acme', size: 'small', domain: 'acme.test', industry: null, description: null, website: null, subscriptionPlan: 'free', createdBy, at },
};
const organization = {
  id: organizationId,
  name: 'Acme',
  size: 'small',
  domain: 'acme.test',
  industry: null,
  description: null,
  website: null,
  is_active: true,
  subscription_plan: 'free',
  created_by: createdBy,
  created_at: at,
  updated_at: null,
};

describe('OrganizationsProjection (identity_organizations_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<OrganizationEvent>(new OrganizationsProjection(), () => db.pool);

  it('creates an active organization', async () => {
    await spec.given([]).when([created]).then([organization]);
  });

  it('updates the fields a change carries: null clears, absent keeps', async () => {
    await spec
      .given([created])
      .when([{ type: 'identity.organization-updated', data: { organizationId, name: 'Acme Inc', domain: null, subscriptionPlan: 'pro', at: later } }])
      .then([{ ...organization, name: 'Acme Inc', domain: null, subscription_plan: 'pro', updated_at: later }]);
  });

  it('deactivates, and a redelivered change changes nothing', async () => {
    const deactivated: OrganizationEvent = { type: 'identity.organization-active-changed', data: { organizationId, active: false, at: later } };
    await spec.given([created]).when([deactivated]).then([{ ...organization, is_active: false, updated_at: later }]);
    await spec.given([created, deactivated]).when([deactivated]).then([{ ...organization, is_active: false, updated_at: later }]);
  });

  it('ignores changes to an organization it never saw', async () => {
    await spec.given([]).when([{ type: 'identity.organization-active-changed', data: { organizationId, active: false, at } }]).then([]);
  });
});
