import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { IdentityEvents } from '@modules/identity/contracts';

/**
 * Who may own a task: analysis keeps its own copy of the workspace members and their names and
 * emails, fed by identity's events (modules do not share tables). Async: a member added a moment
 * ago is known to the next run.
 */
export interface AnalysisUserRow extends Record<string, unknown> {
  id: string;
  name: string;
  email: string | null;
}

export interface AnalysisMemberRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  user_id: string;
  role: string;
}

const fullName = (first: unknown, last: unknown) => [first, last].filter((s) => typeof s === 'string' && s.trim()).join(' ');

/** analysis_users_view: a user's display name and email (identity's personal data, revealed in the log read). */
export class AnalysisUsersProjection extends RowProjection<AnalysisUserRow> {
  readonly name = 'analysis.users';
  readonly table = 'analysis_users_view';

  override keyOf(e: RecordedEvent): string | null {
    return (e.data as { userId?: string }).userId ?? null;
  }

  readonly handlers: Record<string, RowHandler<AnalysisUserRow>> = {
    [IdentityEvents.UserRegistered]: (_row, e) => {
      const d = e.data as { userId: string; email?: string; firstName?: string; lastName?: string };
      return { id: d.userId, name: fullName(d.firstName, d.lastName), email: d.email ?? null };
    },
    'identity.user-profile-updated': (row, e) => {
      if (!row) return null;
      const c = (e.data as { changes?: { firstName?: string; lastName?: string } }).changes ?? {};
      if (c.firstName === undefined && c.lastName === undefined) return row;
      const [first, ...rest] = row.name.split(' ');
      return { ...row, name: fullName(c.firstName ?? first, c.lastName ?? rest.join(' ')) };
    },
  };
}

/** analysis_workspace_members_view: the members of each workspace with their role. */
export class AnalysisMembersProjection extends RowProjection<AnalysisMemberRow> {
  readonly name = 'analysis.workspace-members';
  readonly table = 'analysis_workspace_members_view';

  override keyOf(e: RecordedEvent): string | null {
    const d = e.data as { workspaceId?: string; userId?: string; ownerId?: string };
    const userId = d.userId ?? d.ownerId;
    return d.workspaceId && userId ? `${d.workspaceId}:${userId}` : null;
  }

  readonly handlers: Record<string, RowHandler<AnalysisMemberRow>> = {
    // The creator is the first member (owner), without a member-added event.
    [IdentityEvents.WorkspaceCreated]: (_row, e) => {
      const d = e.data as { workspaceId: string; ownerId: string };
      return { id: `${d.workspaceId}:${d.ownerId}`, workspace_id: d.workspaceId, user_id: d.ownerId, role: 'owner' };
    },
    [IdentityEvents.MemberAdded]: (_row, e) => {
      const d = e.data as { workspaceId: string; userId: string; role: string };
      return { id: `${d.workspaceId}:${d.userId}`, workspace_id: d.workspaceId, user_id: d.userId, role: d.role };
    },
    'identity.workspace-member-role-changed': (row, e) => (row ? { ...row, role: String((e.data as { role: string }).role) } : null),
    [IdentityEvents.MemberRemoved]: () => null,
  };
}
