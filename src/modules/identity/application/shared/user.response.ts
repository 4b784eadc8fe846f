import type { UserRow } from '@modules/identity/projections/users.projection';

/** The user as the API shows it (never the password hash, lockout counters or erasure internals). */
export function userResponse(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    firstName: u.first_name,
    lastName: u.last_name,
    fullName: `${u.first_name} ${u.last_name}`.trim(),
    jobTitle: u.job_title,
    phone: u.phone,
    avatarUrl: u.avatar_url,
    timezone: u.timezone,
    themePreference: u.theme_preference,
    settings: u.settings,
    featureFlags: u.feature_flags,
    onboardingCompleted: u.onboarding_completed,
    active: u.is_active,
    superuser: u.is_superuser,
    emailVerified: u.email_verified_at !== null,
    organizationId: u.organization_id,
    lastLoginAt: u.last_login_at,
    createdAt: u.created_at,
  };
}
