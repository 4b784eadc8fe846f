import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { UserEvent } from '@modules/identity/domain/user/user.events';
import { ERASED_TEXT, SUBJECT_ERASED, UUID } from './erased';

export interface UserRow extends Record<string, unknown> {
  id: string;
  email: string;
  email_lower: string | null;
  password_hash: string | null;
  first_name: string;
  last_name: string;
  job_title: string | null;
  phone: string | null;
  avatar_url: string | null;
  timezone: string;
  theme_preference: string;
  settings: Record<string, unknown>;
  feature_flags: Record<string, boolean>;
  onboarding_completed: boolean;
  is_active: boolean;
  is_superuser: boolean;
  email_verified_at: string | null;
  organization_id: string | null;
  last_login_at: string | null;
  failed_logins: number;
  locked_until: string | null;
  erased: boolean;
  created_at: string;
  updated_at: string | null;
}

type Data<T extends UserEvent['type']> = Extract<UserEvent, { type: T }>['data'];
const data = <T extends UserEvent['type']>(e: RecordedEvent) => e.data as Data<T>;
const on = (row: UserRow | null, fn: (r: UserRow) => UserRow) => (row ? fn(row) : null);

/** identity_users_view: login lookups (by lower-cased email), /me, admin lists. Inline: read-your-writes. */
export class UsersProjection extends RowProjection<UserRow> {
  readonly name = 'identity.users';
  readonly table = 'identity_users_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string | null {
    if (e.type !== SUBJECT_ERASED) return String((e.data as { userId: string }).userId);
    // Users are subjects named by their id; other subjects (authors, contacts...) are not ours.
    const subject = String((e.data as { subjectId: string }).subjectId);
    return UUID.test(subject) ? subject : null;
  }

  readonly handlers: Record<string, RowHandler<UserRow>> = {
    'identity.user-registered': (_row, e) => {
      const d = data<'identity.user-registered'>(e);
      return {
        id: d.userId,
        email: d.email,
        email_lower: d.email === ERASED_TEXT ? null : d.email.toLowerCase(),
        password_hash: d.passwordHash === ERASED_TEXT ? null : d.passwordHash,
        first_name: d.firstName,
        last_name: d.lastName,
        job_title: null,
        phone: null,
        avatar_url: null,
        timezone: 'UTC',
        theme_preference: 'light',
        settings: {},
        feature_flags: {},
        onboarding_completed: false,
        is_active: true,
        is_superuser: d.superuser,
        email_verified_at: d.emailVerified ? d.registeredAt : null,
        organization_id: d.organizationId,
        last_login_at: null,
        failed_logins: 0,
        locked_until: null,
        erased: (e.erasedFields?.length ?? 0) > 0,
        created_at: d.registeredAt,
        updated_at: null,
      };
    },
    'identity.user-email-verified': (row, e) => on(row, (r) => ({ ...r, email_verified_at: data<'identity.user-email-verified'>(e).at, updated_at: data<'identity.user-email-verified'>(e).at })),
    'identity.user-logged-in': (row, e) => on(row, (r) => ({ ...r, last_login_at: data<'identity.user-logged-in'>(e).at, failed_logins: 0, locked_until: null })),
    'identity.user-login-failed': (row, e) => on(row, (r) => ({ ...r, failed_logins: data<'identity.user-login-failed'>(e).consecutiveFailures })),
    'identity.user-locked-out': (row, e) => on(row, (r) => ({ ...r, locked_until: data<'identity.user-locked-out'>(e).until, failed_logins: 0 })),
    'identity.user-password-changed': (row, e) => {
      const d = data<'identity.user-password-changed'>(e);
      return on(row, (r) => ({
        ...r,
        password_hash: d.passwordHash === ERASED_TEXT ? null : d.passwordHash,
        ...(d.via === 'reset' ? { locked_until: null, failed_logins: 0 } : {}),
        updated_at: d.at,
      }));
    },
    'identity.user-profile-updated': (row, e) => {
      const { changes: c, at } = data<'identity.user-profile-updated'>(e);
      return on(row, (r) => ({
        ...r,
        first_name: c.firstName ?? r.first_name,
        last_name: c.lastName ?? r.last_name,
        job_title: c.jobTitle !== undefined ? c.jobTitle : r.job_title,
        phone: c.phone !== undefined ? c.phone : r.phone,
        avatar_url: c.avatarUrl !== undefined ? c.avatarUrl : r.avatar_url,
        timezone: c.timezone ?? r.timezone,
        theme_preference: c.themePreference ?? r.theme_preference,
        settings: c.settings ?? r.settings,
        onboarding_completed: c.onboardingCompleted ?? r.onboarding_completed,
        updated_at: at,
      }));
    },
    'identity.user-status-changed': (row, e) => {
      const d = data<'identity.user-status-changed'>(e);
      return on(row, (r) => ({
        ...r,
        is_active: d.active ?? r.is_active,
        is_superuser: d.superuser ?? r.is_superuser,
        feature_flags: d.featureFlags ?? r.feature_flags,
        updated_at: d.at,
      }));
    },
    // Crypto-shredding: the key is gone from the log; the read model forgets the person too.
    [SUBJECT_ERASED]: (row, e) =>
      on(row, (r) => ({
        ...r,
        email: ERASED_TEXT,
        email_lower: null,
        password_hash: null,
        first_name: ERASED_TEXT,
        last_name: ERASED_TEXT,
        phone: null,
        avatar_url: null,
        is_active: false,
        erased: true,
        updated_at: e.recordedAt.toISOString(),
      })),
  };
}
