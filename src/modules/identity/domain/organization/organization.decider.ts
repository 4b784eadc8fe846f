import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';

/** Seed 000 companies / 002 account scopes. */
export interface OrganizationProfile {
  name: string;
  size: 'startup' | 'small' | 'medium' | 'enterprise' | null;
  domain: string | null;
  industry: string | null;
  description: string | null;
  website: string | null;
  subscriptionPlan: 'free' | 'pro' | 'enterprise';
}

export type OrganizationEvent =
  | { type: 'identity.organization-created'; data: OrganizationProfile & { organizationId: string; createdBy: string; at: string } }
  | { type: 'identity.organization-updated'; data: Partial<OrganizationProfile> & { organizationId: string; at: string } }
  | { type: 'identity.organization-active-changed'; data: { organizationId: string; active: boolean; at: string } };

export type OrganizationState = { status: 'none' } | { status: 'created'; organizationId: string; name: string; active: boolean; createdBy: string };

export type OrganizationCommand =
  | { kind: 'create'; organizationId: string; profile: OrganizationProfile; createdBy: string; now: Date }
  | { kind: 'update'; changes: Partial<OrganizationProfile>; now: Date }
  | { kind: 'set-active'; active: boolean; now: Date };

export const organizationDecider: Decider<OrganizationCommand, OrganizationState, OrganizationEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'identity.organization-created':
        return { status: 'created', organizationId: e.data.organizationId, name: e.data.name, active: true, createdBy: e.data.createdBy };
      case 'identity.organization-updated':
        return s.status === 'created' && e.data.name ? { ...s, name: e.data.name } : s;
      case 'identity.organization-active-changed':
        return s.status === 'created' ? { ...s, active: e.data.active } : s;
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'create':
        if (s.status !== 'none') throw new IdentityError(Code.OrganizationNameTaken, 'This organization already exists');
        return { type: 'identity.organization-created', data: { ...c.profile, organizationId: c.organizationId, createdBy: c.createdBy, at } };
      case 'update': {
        if (s.status === 'none') throw new IdentityError(Code.OrganizationNotFound, 'No such organization');
        const changes = Object.fromEntries(Object.entries(c.changes).filter(([, v]) => v !== undefined));
        if (Object.keys(changes).length === 0) return [];
        return { type: 'identity.organization-updated', data: { ...changes, organizationId: s.organizationId, at } };
      }
      case 'set-active':
        if (s.status === 'none') throw new IdentityError(Code.OrganizationNotFound, 'No such organization');
        return s.active === c.active ? [] : { type: 'identity.organization-active-changed', data: { organizationId: s.organizationId, active: c.active, at } };
      default:
        return assertNever(c);
    }
  },
};
