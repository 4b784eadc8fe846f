import { freshTimestamp, header, hmacSha256, refused, safeEqual, sha256Hex, SignedRequest, Verification, verified } from './webhook-signatures';

/**
 * Chatwoot signed webhooks: `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "{X-Chatwoot-Timestamp}.{raw body}")>`.
 *
 * Deduplication is on what the signature covers: a hash of "{timestamp}.{body}". The
 * `X-Chatwoot-Delivery` header is NOT signed, so it is not trusted: a replayed body (within the
 * 5-minute window) under a fresh delivery id would be taken again (an old edit undoing a newer
 * one), and a real delivery could be suppressed by sending its id first with an old signed body.
 *
 * Policy: a Chatwoot source must have the webhook's secret (credential `hmacToken`) to receive
 * webhooks, and then every delivery must be signed with it. Unsigned deliveries are never taken,
 * with or without a secret: the URL alone is not a credential (it shows up in logs and settings
 * pages), and accepting unsigned requests when no secret is set would let anyone who learns the
 * URL write into the workspace.
 */
export function verifyChatwoot(req: SignedRequest, secret: string | undefined, now: Date): Verification {
  if (!secret) return refused('not-configured', 'This Chatwoot source has no webhook secret (credentials.hmacToken): unsigned webhooks are refused');
  const timestamp = header(req, 'x-chatwoot-timestamp');
  const signature = header(req, 'x-chatwoot-signature');
  if (!timestamp || !signature) return refused('missing', 'X-Chatwoot-Timestamp and X-Chatwoot-Signature are required');
  const fresh = freshTimestamp(timestamp, now);
  if (fresh === 'invalid') return refused('missing', 'X-Chatwoot-Timestamp is not epoch seconds');
  if (fresh === 'stale') return refused('stale', 'X-Chatwoot-Timestamp is more than 5 minutes away: a replay is refused');
  const expected = `sha256=${hmacSha256(secret, `${timestamp}.`, req.rawBody).toString('hex')}`;
  if (!safeEqual(signature, expected)) return refused('mismatch', 'X-Chatwoot-Signature does not match the body');
  return verified(`chatwoot-signed:${sha256Hex(Buffer.concat([Buffer.from(`${timestamp}.`), req.rawBody]))}`);
}
