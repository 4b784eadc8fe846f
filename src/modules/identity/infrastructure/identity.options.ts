/** Settings of the identity context (from the validated app config). */
export interface IdentityOptions {
  /** HS256 key for access tokens (>= 32 bytes of entropy); JWT_SECRET or generated once and kept encrypted in the database. */
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  requireEmailVerification: boolean;
  pinTtlMinutes: number;
  pinMaxAttempts: number;
  loginMaxFailures: number;
  loginLockMinutes: number;
  invitationTtlDays: number;
  passwordResetTtlMinutes: number;
  bootstrapAdmin?: { email: string; password: string };
  /** Operator token (ADMIN_TOKEN): superuser for automation and break-glass. */
  adminToken?: string;
  /** HMAC key for lookup hashes of emails (so some tables never hold the email itself). */
  lookupKey: string;
}

/** What the app configures; the keys not given are made by PlatformSecrets. */
export type IdentitySettings = Omit<IdentityOptions, 'jwtSecret' | 'lookupKey'> & { jwtSecret?: string };

export const IDENTITY_OPTIONS = Symbol('IDENTITY_OPTIONS');
