import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { SignupRequestEvent } from '@modules/identity/domain/signup-request/signup-request.decider';

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
