import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { WorkspaceEvent } from '../domain/workspace/workspace.events';
import { UUID } from './erased';

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

export interface InvitationRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  email: string;
  role: string;
  token_hash: string;
  status: string;
  invited_by: string;
  accepted_by: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

/** identity_invitations_view (the invitee's email is erasable on its own). */
export class InvitationsProjection extends RowProjection<InvitationRow> {
  readonly name = 'identity.invitations';
  readonly table = 'identity_invitations_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string | null {
    const d = e.data as { invitationId?: string; subjectId?: string };
    if (d.invitationId) return d.invitationId;
    return d.subjectId && UUID.test(d.subjectId) ? d.subjectId : null;
  }

  readonly handlers: Record<string, RowHandler<InvitationRow>> = {
    'identity.workspace-invitation-created': (_r, e) => {
      const d = data<'identity.workspace-invitation-created'>(e);
      return {
        id: d.invitationId,
        workspace_id: d.workspaceId,
        email: d.email,
        role: d.role,
        token_hash: d.tokenHash,
        status: 'pending',
        invited_by: d.invitedBy,
        accepted_by: null,
        expires_at: d.expiresAt,
        created_at: d.at,
        updated_at: d.at,
      };
    },
    'identity.workspace-invitation-accepted': (r, e) => {
      const d = data<'identity.workspace-invitation-accepted'>(e);
      return r ? { ...r, status: 'accepted', accepted_by: d.userId, updated_at: d.at } : null;
    },
    'identity.workspace-invitation-revoked': (r, e) => (r ? { ...r, status: 'revoked', updated_at: data<'identity.workspace-invitation-revoked'>(e).at } : null),
    'privacy.subject-erased': (r, e) => (r ? { ...r, email: '[erased]', updated_at: e.recordedAt.toISOString() } : null),
  };
}
