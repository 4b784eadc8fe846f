import { freshTimestamp, header, hmacSha256, refused, safeEqual, SignedRequest, Verification, verified } from './webhook-signatures';

/**
 * Slack request signing: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:{X-Slack-Request-Timestamp}:{raw body}")>`,
 * refused when the timestamp is more than 5 minutes from now (replays). Slack signs every request,
 * the url_verification handshake included.
 */
export function verifySlack(req: SignedRequest, signingSecret: string | undefined, now: Date): Verification {
  if (!signingSecret) return refused('not-configured', 'This Slack source has no signing secret');
  const timestamp = header(req, 'x-slack-request-timestamp');
  const signature = header(req, 'x-slack-signature');
  if (!timestamp || !signature) return refused('missing', 'X-Slack-Request-Timestamp and X-Slack-Signature are required');
  const fresh = freshTimestamp(timestamp, now);
  if (fresh === 'invalid') return refused('missing', 'X-Slack-Request-Timestamp is not epoch seconds');
  if (fresh === 'stale') return refused('stale', 'X-Slack-Request-Timestamp is more than 5 minutes away: a replay is refused');
  const expected = `v0=${hmacSha256(signingSecret, `v0:${timestamp}:`, req.rawBody).toString('hex')}`;
  return safeEqual(signature, expected) ? verified() : refused('mismatch', 'X-Slack-Signature does not match the body');
}
