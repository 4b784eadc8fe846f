import { IdentityError, IdentityErrorCode } from '@modules/identity/domain/identity.errors';

const COMMON = new Set([
  'password', 'password1', 'password123', '123456789', '1234567890', 'qwertyuiop', 'iloveyou', 'letmein123', 'welcome123', 'admin12345',
  'passw0rd', 'changeme', 'qwerty123', '1q2w3e4r5t', 'abc123456', '11111111', '00000000', 'sunshine1', 'football1', 'monkey123',
]);

/**
 * NIST SP 800-63B style: length over composition rules. At least 10 characters, at most 256,
 * not a well-known password, not mostly one character, and not the email's name part.
 */
export function assertStrongPassword(password: string, email?: string): void {
  const reasons: string[] = [];
  if (password.length < 10) reasons.push('must be at least 10 characters');
  if (password.length > 256) reasons.push('must be at most 256 characters');
  if (COMMON.has(password.toLowerCase())) reasons.push('is a well-known password');
  if (new Set(password).size < 4) reasons.push('uses too few different characters');
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && password.toLowerCase().includes(local)) reasons.push('must not contain your email name');
  if (reasons.length) {
    throw new IdentityError(IdentityErrorCode.WeakPassword, `The password ${reasons.join(', ')}`, { errors: reasons.map((message) => ({ field: 'password', message })) });
  }
}
