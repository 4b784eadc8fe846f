import { header, hmacSha256, refused, safeEqual, sha256Hex, SignedRequest, Verification, verified } from './webhook-signatures';

/**
 * The generic signed JSON webhook (kinds `api` and `email`, and Gong relays):
 * `X-Signature: sha256=<hex HMAC-SHA256(webhookSecret, raw body)>`, the scheme GitHub made common.
 * It carries no timestamp, so a replay is accepted but stores nothing new: every message names its
 * own externalId (deterministic message ids), and the delivery is recorded by a hash of the signed
 * body. An `X-Delivery-Id` header is not signed and so not trusted (a real delivery could be
 * suppressed by sending its id first with an old signed body).
 */
export function verifySignedJson(req: SignedRequest, webhookSecret: string | undefined): Verification {
  if (!webhookSecret) return refused('not-configured', 'This source has no webhook secret (credentials.webhookSecret)');
  const signature = header(req, 'x-signature');
  if (!signature) return refused('missing', 'X-Signature: sha256=<hex HMAC-SHA256 of the body> is required');
  const expected = `sha256=${hmacSha256(webhookSecret, req.rawBody).toString('hex')}`;
  if (!safeEqual(signature.trim().toLowerCase(), expected)) return refused('mismatch', 'X-Signature does not match the body');
  return verified(`body-sha256:${sha256Hex(req.rawBody)}`);
}
