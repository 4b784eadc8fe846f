import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { WorkspaceEvent } from '@modules/identity/domain/workspace/workspace.events';

type Data<T extends WorkspaceEvent['type']> = Extract<WorkspaceEvent, { type: T }>['data'];
const data = <T extends WorkspaceEvent['type']>(e: RecordedEvent) => e.data as Data<T>;

export interface WorkspaceRow extends Record<string, unknown> {
  id: string;
  name: string;
  slug: string;
  organization_id: string | null;
  owner_id: string;
  is_active: boolean;
  created_at: string;
  updated_at: string | null;
}

/** identity_workspaces_view. */
export class WorkspacesProjection extends RowProjection<WorkspaceRow> {
  readonly name = 'identity.workspaces';
  readonly table = 'identity_workspaces_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { workspaceId: string }).workspaceId;
  }

  readonly handlers: Record<string, RowHandler<WorkspaceRow>> = {
    'identity.workspace-created': (_r, e) => {
      const d = data<'identity.workspace-created'>(e);
      return { id: d.workspaceId, name: d.name, slug: d.slug, organization_id: d.organizationId, owner_id: d.ownerId, is_active: true, created_at: d.at, updated_at: null };
    },
    'identity.workspace-renamed': (r, e) => (r ? { ...r, name: data<'identity.workspace-renamed'>(e).name, updated_at: data<'identity.workspace-renamed'>(e).at } : null),
    'identity.workspace-slug-changed': (r, e) => (r ? { ...r, slug: data<'identity.workspace-slug-changed'>(e).slug, updated_at: data<'identity.workspace-slug-changed'>(e).at } : null),
    'identity.workspace-deactivated': (r, e) => (r ? { ...r, is_active: false, updated_at: data<'identity.workspace-deactivated'>(e).at } : null),
  };
}
