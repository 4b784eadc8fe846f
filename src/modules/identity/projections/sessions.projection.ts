import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { SessionEvent } from '../domain/session/session.decider';
import { ApiKeyEvent } from '../domain/api-key/api-key.decider';
import { SignupRequestEvent } from '../domain/signup-request/signup-request.decider';

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

type K<T extends ApiKeyEvent['type']> = Extract<ApiKeyEvent, { type: T }>['data'];

export interface ApiKeyRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  name: string;
  role: string;
  prefix: string;
  key_hash: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

/** identity_api_keys_view: found by prefix, checked by hash. */
export class ApiKeysProjection extends RowProjection<ApiKeyRow> {
  readonly name = 'identity.api-keys';
  readonly table = 'identity_api_keys_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { apiKeyId: string }).apiKeyId;
  }

  readonly handlers: Record<string, RowHandler<ApiKeyRow>> = {
    'identity.api-key-created': (_r, e) => {
      const d = e.data as K<'identity.api-key-created'>;
      return { id: d.apiKeyId, workspace_id: d.workspaceId, name: d.name, role: d.role, prefix: d.prefix, key_hash: d.keyHash, created_by: d.createdBy, expires_at: d.expiresAt, revoked_at: null, created_at: d.at };
    },
    'identity.api-key-revoked': (r, e) => (r ? { ...r, revoked_at: (e.data as K<'identity.api-key-revoked'>).at } : null),
  };
}

type R<T extends SignupRequestEvent['type']> = Extract<SignupRequestEvent, { type: T }>['data'];

export interface SignupRequestRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  email_hash: string;
  pin_hash: string;
  pin_salt: string;
  attempt_count: number;
  status: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

/**
 * identity_signup_requests_view (seed 002 signup_requests). The email is kept only as a hash
 * (for lookups), so this table holds no personal data to erase.
 */
export class SignupRequestsProjection extends RowProjection<SignupRequestRow> {
  readonly name = 'identity.signup-requests';
  readonly table = 'identity_signup_requests_view';
  override readonly mode = 'inline' as const;

  constructor(private readonly emailHash: (email: string) => string) {
    super();
  }

  override keyOf(e: RecordedEvent): string {
    return (e.data as { signupRequestId: string }).signupRequestId;
  }

  readonly handlers: Record<string, RowHandler<SignupRequestRow>> = {
    'identity.signup-requested': (_r, e) => {
      const d = e.data as R<'identity.signup-requested'>;
      return {
        id: d.signupRequestId,
        user_id: d.userId,
        email_hash: this.emailHash(d.email),
        pin_hash: d.pinHash,
        pin_salt: d.pinSalt,
        attempt_count: 0,
        status: 'pending',
        expires_at: d.expiresAt,
        used_at: null,
        created_at: d.at,
      };
    },
    'identity.signup-pin-failed': (r, e) => (r ? { ...r, attempt_count: (e.data as R<'identity.signup-pin-failed'>).attempts } : null),
    'identity.signup-verified': (r, e) => (r ? { ...r, status: 'verified', used_at: (e.data as R<'identity.signup-verified'>).at } : null),
  };
}
