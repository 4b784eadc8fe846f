import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { OrganizationEvent, organizationDecider, OrganizationProfile } from '@modules/identity/domain/organization/organization.decider';

const spec = DeciderSpecification(organizationDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const profile: OrganizationProfile = { name: 'Acme', size: 'small', domain: 'acme.test', industry: null, description: null, website: null, subscriptionPlan: 'free' };
const created: OrganizationEvent = { type: 'identity.organization-created', data: { ...profile, organizationId: 'o1', createdBy: 'u1', at } };

describe('organization decider', () => {
  it('creates an organization once', () => {
    spec.given([]).when({ kind: 'create', organizationId: 'o1', profile, createdBy: 'u1', now }).then([created]);
    spec.given([created]).when({ kind: 'create', organizationId: 'o1', profile, createdBy: 'u1', now }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.OrganizationNameTaken));
  });

  it('records only the fields a change sets (null clears, undefined keeps)', () => {
    spec.given([created]).when({ kind: 'update', changes: { name: 'Acme Inc', domain: null, website: undefined }, now }).then([
      { type: 'identity.organization-updated', data: { name: 'Acme Inc', domain: null, organizationId: 'o1', at } },
    ]);
    spec.given([created]).when({ kind: 'update', changes: { website: undefined }, now }).thenNothingHappened();
  });

  it('changes the active flag only when it differs', () => {
    const deactivated: OrganizationEvent = { type: 'identity.organization-active-changed', data: { organizationId: 'o1', active: false, at } };
    spec.given([created]).when({ kind: 'set-active', active: false, now }).then([deactivated]);
    spec.given([created, deactivated]).when({ kind: 'set-active', active: false, now }).thenNothingHappened();
    spec.given([created]).when({ kind: 'set-active', active: true, now }).thenNothingHappened();
  });

  it('refuses changes to an organization that does not exist', () => {
    spec.given([]).when({ kind: 'update', changes: { name: 'X' }, now }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.OrganizationNotFound));
    spec.given([]).when({ kind: 'set-active', active: false, now }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.OrganizationNotFound));
  });
});
