import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { WorkspaceEvent } from '@modules/identity/domain/workspace/workspace.events';

type Data<T extends WorkspaceEvent['type']> = Extract<WorkspaceEvent, { type: T }>['data'];
const data = <T extends WorkspaceEvent['type']>(e: RecordedEvent) => e.data as Data<T>;

export interface MemberRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  user_id: string;
  role: string;
  invitation_id: string | null;
  joined_at: string;
  updated_at: string;
}

/** identity_workspace_members_view: one row per (workspace, user); what the tenancy guard reads. */
export class WorkspaceMembersProjection extends RowProjection<MemberRow> {
  readonly name = 'identity.workspace-members';
  readonly table = 'identity_workspace_members_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    const d = e.data as { workspaceId: string; userId?: string; ownerId?: string };
    return `${d.workspaceId}:${d.userId ?? d.ownerId}`;
  }

  readonly handlers: Record<string, RowHandler<MemberRow>> = {
    'identity.workspace-created': (_r, e) => {
      const d = data<'identity.workspace-created'>(e);
      return { id: `${d.workspaceId}:${d.ownerId}`, workspace_id: d.workspaceId, user_id: d.ownerId, role: 'owner', invitation_id: null, joined_at: d.at, updated_at: d.at };
    },
    'identity.workspace-member-added': (_r, e) => {
      const d = data<'identity.workspace-member-added'>(e);
      return { id: `${d.workspaceId}:${d.userId}`, workspace_id: d.workspaceId, user_id: d.userId, role: d.role, invitation_id: d.invitationId ?? null, joined_at: d.at, updated_at: d.at };
    },
    'identity.workspace-member-role-changed': (r, e) => (r ? { ...r, role: data<'identity.workspace-member-role-changed'>(e).role, updated_at: data<'identity.workspace-member-role-changed'>(e).at } : null),
    'identity.workspace-member-removed': () => null,
  };
}
