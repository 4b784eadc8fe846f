import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { SessionEvent } from '@modules/identity/domain/session/session.decider';

type S<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>['data'];

export interface SessionRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  user_agent: string | null;
  active_workspace_id: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoke_reason: string | null;
}

/** identity_sessions_view (seed 002 sessions: active workspace, last seen). The token hash stays in the log. */
export class SessionsProjection extends RowProjection<SessionRow> {
  readonly name = 'identity.sessions';
  readonly table = 'identity_sessions_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { sessionId: string }).sessionId;
  }

  readonly handlers: Record<string, RowHandler<SessionRow>> = {
    'identity.session-started': (_r, e) => {
      const d = e.data as S<'identity.session-started'>;
      return { id: d.sessionId, user_id: d.userId, user_agent: d.userAgent, active_workspace_id: null, created_at: d.at, last_seen_at: d.at, expires_at: d.expiresAt, revoked_at: null, revoke_reason: null };
    },
    'identity.session-refreshed': (r, e) => (r ? { ...r, last_seen_at: (e.data as S<'identity.session-refreshed'>).at } : null),
    'identity.session-revoked': (r, e) => {
      const d = e.data as S<'identity.session-revoked'>;
      return r ? { ...r, revoked_at: d.at, revoke_reason: d.reason } : null;
    },
    'identity.session-workspace-selected': (r, e) => (r ? { ...r, active_workspace_id: (e.data as S<'identity.session-workspace-selected'>).workspaceId } : null),
  };
}
