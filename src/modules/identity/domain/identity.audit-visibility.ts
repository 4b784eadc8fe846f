import type { AuditVisibilityDeclaration } from '@libs/event-store/audit-visibility';

/**
 * Credential material in identity's events, withheld from every reader of the log (the audit
 * API and its exports, the platform admin's included): hashes are offline guessing targets,
 * sealed tokens are one key leak away from clear. Registered beside identity's personal data.
 */
export const identityAuditVisibility: Record<string, AuditVisibilityDeclaration> = {
  'identity.user-registered': { secretFields: ['passwordHash'] },
  'identity.user-password-changed': { secretFields: ['passwordHash'] },
  'identity.user-password-reset-requested': { secretFields: ['tokenHash'] },
  'identity.signup-requested': { secretFields: ['passwordHash', 'pinHash', 'pinSalt'] },
  'identity.session-started': { secretFields: ['tokenHash'] },
  'identity.session-refreshed': { secretFields: ['tokenHash'] },
  'identity.workspace-invitation-created': { secretFields: ['tokenHash'] },
  'identity.api-key-created': { secretFields: ['keyHash'] },
  'identity.oauth-account-linked': { secretFields: ['accessTokenCiphertext', 'refreshTokenCiphertext', 'idTokenCiphertext'] },
  'identity.oauth-account-tokens-refreshed': { secretFields: ['accessTokenCiphertext', 'refreshTokenCiphertext', 'idTokenCiphertext'] },
};
