import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The request as a verifier sees it: header names in lower case (as Node gives them), the exact body bytes. */
export interface SignedRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export type Verification =
  | { ok: true; deliveryId: string | null }
  | { ok: false; reason: 'missing' | 'stale' | 'mismatch' | 'not-configured'; detail: string };

export const verified = (deliveryId: string | null = null): Verification => ({ ok: true, deliveryId });
export const refused = (reason: Exclude<Verification, { ok: true }>['reason'], detail: string): Verification => ({ ok: false, reason, detail });

/** Providers retry within minutes; an older signed request is a replay (Slack, Chatwoot, Standard Webhooks all use 5 minutes). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function hmacSha256(secret: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * Constant-time comparison of two strings of any length: both sides are hashed first, so neither
 * the content nor the length of the expected value leaks through timing.
 */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/** Epoch seconds within the tolerance of `now`, either way (a clock ahead is as suspicious as a replay). */
export function freshTimestamp(raw: string | undefined, now: Date): 'fresh' | 'invalid' | 'stale' {
  if (raw === undefined || !/^\d{1,12}$/.test(raw.trim())) return 'invalid';
  const skew = Math.abs(now.getTime() / 1000 - Number(raw));
  return skew <= TIMESTAMP_TOLERANCE_SECONDS ? 'fresh' : 'stale';
}
