import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { WorkspaceEvent } from '@modules/identity/domain/workspace/workspace.events';
import { UUID } from './erased';

type Data<T extends WorkspaceEvent['type']> = Extract<WorkspaceEvent, { type: T }>['data'];
const data = <T extends WorkspaceEvent['type']>(e: RecordedEvent) => e.data as Data<T>;

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
