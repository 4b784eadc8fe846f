import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { header, refused, SignedRequest, Verification, verified } from './webhook-signatures';

/**
 * Fathom signs per the Standard Webhooks scheme: `webhook-id`, `webhook-timestamp` (5-minute
 * window) and `webhook-signature: v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{raw body}")>`
 * (several space-separated signatures during a key rotation). Verified with the reference
 * `standardwebhooks` package; `webhook-id` is the delivery id (the same on retries).
 */
export function verifyFathom(req: SignedRequest, secret: string | undefined): Verification {
  if (!secret) return refused('not-configured', 'This Fathom source has no webhook secret (credentials.webhookSecret)');
  const id = header(req, 'webhook-id');
  const timestamp = header(req, 'webhook-timestamp');
  const signature = header(req, 'webhook-signature');
  if (!id || !timestamp || !signature) return refused('missing', 'webhook-id, webhook-timestamp and webhook-signature are required');
  try {
    keyOf(secret).verify(req.rawBody, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
    return verified(`webhook:${id.slice(0, 200)}`);
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err;
    const stale = /timestamp too (old|new)/i.test(err.message);
    return refused(stale ? 'stale' : 'mismatch', stale ? 'webhook-timestamp is more than 5 minutes away: a replay is refused' : `The Standard Webhooks signature does not verify (${err.message})`);
  }
}

/** `whsec_<base64>` per the spec; a secret that is not base64 is used as raw bytes rather than refused. */
function keyOf(secret: string): Webhook {
  try {
    return new Webhook(secret);
  } catch {
    return new Webhook(secret, { format: 'raw' });
  }
}
