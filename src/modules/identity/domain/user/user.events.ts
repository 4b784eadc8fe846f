/** What a user may change about themselves (seed 000/003/004 users). */
export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
  jobTitle?: string | null;
  /** E.164, validated at the edge. */
  phone?: string | null;
  avatarUrl?: string | null;
  timezone?: string;
  themePreference?: 'light' | 'dark';
  settings?: Record<string, unknown>;
  onboardingCompleted?: boolean;
}

export type UserEvent =
  | {
      type: 'identity.user-registered';
      data: {
        userId: string;
        email: string;
        firstName: string;
        lastName: string;
        passwordHash: string;
        organizationId: string | null;
        superuser: boolean;
        emailVerified: boolean;
        registeredAt: string;
      };
    }
  | { type: 'identity.user-email-verified'; data: { userId: string; at: string } }
  /**
   * A login attempt admitted BEFORE its password is checked: the append is the lock that keeps
   * concurrent guesses within the budget. It stays open until resolved or until `expiresAt`
   * (an attempt abandoned by a crash must not hold its slot forever).
   */
  | { type: 'identity.user-login-attempted'; data: { userId: string; attemptId: string; at: string; expiresAt: string } }
  | { type: 'identity.user-logged-in'; data: { userId: string; sessionId: string; at: string; attemptId?: string } }
  | { type: 'identity.user-login-failed'; data: { userId: string; at: string; consecutiveFailures: number; attemptId?: string } }
  | { type: 'identity.user-locked-out'; data: { userId: string; until: string; failures: number } }
  | { type: 'identity.user-password-changed'; data: { userId: string; passwordHash: string; at: string; via?: 'change' | 'reset' } }
  | { type: 'identity.user-password-reset-requested'; data: { userId: string; tokenHash: string; expiresAt: string; at: string } }
  | { type: 'identity.user-profile-updated'; data: { userId: string; changes: ProfileChanges; at: string } }
  | {
      type: 'identity.user-status-changed';
      data: { userId: string; active?: boolean; superuser?: boolean; featureFlags?: Record<string, boolean>; at: string };
    };

/**
 * Personal fields per event type (crypto-shredded with the user's key): names, email, phone,
 * avatar and the password hash, so an erased user leaves nothing readable in the log.
 */
export const userPersonalData: Record<string, { subject: string; fields: string[] }> = {
  'identity.user-registered': { subject: 'userId', fields: ['email', 'firstName', 'lastName', 'passwordHash'] },
  'identity.user-password-changed': { subject: 'userId', fields: ['passwordHash'] },
  'identity.user-profile-updated': { subject: 'userId', fields: ['changes.firstName', 'changes.lastName', 'changes.phone', 'changes.avatarUrl'] },
};
