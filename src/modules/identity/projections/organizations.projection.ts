import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { OrganizationEvent } from '@modules/identity/domain/organization/organization.decider';

type D<T extends OrganizationEvent['type']> = Extract<OrganizationEvent, { type: T }>['data'];

export interface OrganizationRow extends Record<string, unknown> {
  id: string;
  name: string;
  size: string | null;
  domain: string | null;
  industry: string | null;
  description: string | null;
  website: string | null;
  is_active: boolean;
  subscription_plan: string;
  created_by: string;
  created_at: string;
  updated_at: string | null;
}

/** identity_organizations_view (seed 000 companies). */
export class OrganizationsProjection extends RowProjection<OrganizationRow> {
  readonly name = 'identity.organizations';
  readonly table = 'identity_organizations_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { organizationId: string }).organizationId;
  }

  readonly handlers: Record<string, RowHandler<OrganizationRow>> = {
    'identity.organization-created': (_r, e) => {
      const d = e.data as D<'identity.organization-created'>;
      return {
        id: d.organizationId,
        name: d.name,
        size: d.size,
        domain: d.domain,
        industry: d.industry,
        description: d.description,
        website: d.website,
        is_active: true,
        subscription_plan: d.subscriptionPlan,
        created_by: d.createdBy,
        created_at: d.at,
        updated_at: null,
      };
    },
    'identity.organization-updated': (r, e) => {
      if (!r) return null;
      const { organizationId: _id, at, ...changes } = e.data as D<'identity.organization-updated'>;
      return {
        ...r,
        name: changes.name ?? r.name,
        size: changes.size !== undefined ? changes.size : r.size,
        domain: changes.domain !== undefined ? changes.domain : r.domain,
        industry: changes.industry !== undefined ? changes.industry : r.industry,
        description: changes.description !== undefined ? changes.description : r.description,
        website: changes.website !== undefined ? changes.website : r.website,
        subscription_plan: changes.subscriptionPlan ?? r.subscription_plan,
        updated_at: at,
      };
    },
    'identity.organization-active-changed': (r, e) => {
      const d = e.data as D<'identity.organization-active-changed'>;
      return r ? { ...r, is_active: d.active, updated_at: d.at } : null;
    },
  };
}
