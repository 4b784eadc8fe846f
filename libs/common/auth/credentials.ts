import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
  return m?.[1];
}

/**
 * Whether the request carries credentials at all, in either form docs/api.md accepts
 * (`Authorization: Bearer <jwt>` or `X-API-Key: <key>`). Whether they are any good is the
 * access policy's question; without any, the answer is a 401.
 */
export function hasCredentials(req: Request): boolean {
  return bearerToken(req) !== undefined || (req.header('x-api-key') ?? '').trim() !== '';
}

/** Constant-time comparison that does not even reveal the expected length (both sides hashed). */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
