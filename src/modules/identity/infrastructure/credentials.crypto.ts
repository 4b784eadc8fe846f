import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id (RFC 9106 second recommended profile: m=19 MiB, t=2, p=1), a well-kept Rust binding. */
const ARGON2ID = 2;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // Without a stored hash (unknown user, erased user) still spend the same time: no timing oracle.
  if (!stored) {
    await verify(DUMMY_HASH, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$hM7gtb/8rsna1qG2zNcKwQ$o0LoazQ/XwZmEmTSSVwSCuW/BlKiP5QMJwnxhX0dRt4';

export const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** `<sessionId>.<secret>`: the id finds the session, only the secret's hash is stored. */
export function newRefreshToken(sessionId: string): { token: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${sessionId}.${secret}`, hash: sha256(secret) };
}

export function parseRefreshToken(token: string): { sessionId: string; hash: string } | null {
  const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { sessionId: m[1], hash: sha256(m[2]) } : null;
}

/** `ck_<prefix>_<secret>`: the prefix is shown and indexed, the secret is only hashed (it has 256 bits). */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `ck_${prefix}_${secret}`, prefix, hash: sha256(secret) };
}

export function parseApiKey(key: string): { prefix: string; hash: string } | null {
  const m = /^ck_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(key.trim());
  return m ? { prefix: m[1], hash: sha256(m[2]) } : null;
}

export function newInvitationToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256(token) };
}

/** A 6-digit PIN and its salted hash (seed 002: pin_hash + pin_salt). */
export function newPin(): { pin: string; salt: string; hash: string } {
  const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = randomBytes(16).toString('hex');
  return { pin, salt, hash: pinHash(salt, pin) };
}

export function pinHash(salt: string, pin: string): string {
  return createHmac('sha256', salt).update(pin).digest('hex');
}

export function lookupHash(key: string, value: string): string {
  return createHmac('sha256', key).update(value.trim().toLowerCase()).digest('hex');
}
