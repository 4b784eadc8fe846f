import { createPublicKey, KeyObject, verify as verifySignature } from 'node:crypto';
import { verifySignedJson } from './signed-json.verifier';
import { header, refused, sha256Hex, SignedRequest, Verification, verified } from './webhook-signatures';

/** Clock skew allowed on the JWT's `exp`, `nbf` and `iat`. */
const LEEWAY_SECONDS = 60;
/** Longest life a signed delivery may claim: a token valid for days is a replay waiting to happen. */
const MAX_LIFETIME_SECONDS = 24 * 3600;

/**
 * Gong automation-rule webhooks ("Fire webhook" with "Signed JWT header"): the `Authorization`
 * header is a JWT signed RS256 with Gong's key, whose public key the admin copies from the rule
 * into the source's config (`config.webhookPublicKey`, PEM or the bare base64 Gong shows: a public
 * key is not a secret). Claims checked: `exp` (required: a token that never expires could be
 * replayed forever; stale deliveries refused), `nbf` and `iat` (not in the future, with a minute of
 * skew; `iat` not older than a day), `body_sha256` (hex
 * SHA-256 of the exact body: required, it binds the signature to the payload) and, when present,
 * `webhook_url` (must be this source's URL, so a delivery signed for another endpoint cannot be
 * replayed here).
 *
 * Without a JWT, a relay (a sync worker, a proxy pushing `/v2/calls/transcript` results) signs
 * with the source's `webhookSecret` as the generic signed JSON webhook does (`X-Signature`).
 */
export function verifyGong(
  req: SignedRequest,
  keys: { publicKey: string | undefined; webhookSecret: string | undefined },
  expectedPathSuffix: string,
  now: Date,
): Verification {
  const authorization = header(req, 'authorization')?.replace(/^Bearer\s+/i, '').trim();
  if (authorization && authorization.split('.').length === 3) {
    if (!keys.publicKey) return refused('not-configured', 'This Gong source has no webhook public key (config.webhookPublicKey) to verify the signed JWT header');
    return verifyJwt(req, authorization, keys.publicKey, expectedPathSuffix, now);
  }
  if (header(req, 'x-signature')) return verifySignedJson(req, keys.webhookSecret);
  if (!keys.publicKey && !keys.webhookSecret) return refused('not-configured', 'This Gong source has neither config.webhookPublicKey nor credentials.webhookSecret');
  return refused('missing', 'A signed JWT Authorization header (Gong) or X-Signature (relay) is required');
}

function verifyJwt(req: SignedRequest, token: string, publicKey: string, expectedPathSuffix: string, now: Date): Verification {
  const [h, p, s] = token.split('.');
  let head: any;
  let claims: any;
  try {
    head = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return refused('mismatch', 'The Authorization header is not a JWT');
  }
  // The algorithm is pinned: never let the token choose (alg=none, or HS256 keyed with the public key).
  if (head?.alg !== 'RS256') return refused('mismatch', 'The JWT must be signed RS256');
  let key: KeyObject;
  try {
    key = publicKeyOf(publicKey);
  } catch {
    return refused('not-configured', 'config.webhookPublicKey is not an RSA public key');
  }
  if (!verifySignature('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
    return refused('mismatch', 'The JWT signature does not verify with this source\'s public key');
  }
  const nowSeconds = now.getTime() / 1000;
  if (typeof claims?.exp !== 'number' || !Number.isFinite(claims.exp)) return refused('mismatch', 'The JWT has no exp claim: a token that never expires is refused');
  if (nowSeconds > claims.exp + LEEWAY_SECONDS) return refused('stale', 'The JWT has expired: a replay is refused');
  if (claims.exp - nowSeconds > MAX_LIFETIME_SECONDS + LEEWAY_SECONDS) return refused('mismatch', 'The JWT expires too far in the future');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > nowSeconds + LEEWAY_SECONDS)) return refused('stale', 'The JWT is not valid yet (nbf)');
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > nowSeconds + LEEWAY_SECONDS || claims.iat < nowSeconds - MAX_LIFETIME_SECONDS)) {
    return refused('stale', 'The JWT was issued in the future or too long ago (iat)');
  }
  if (typeof claims?.body_sha256 !== 'string') return refused('mismatch', 'The JWT has no body_sha256 claim');
  if (claims.body_sha256.toLowerCase() !== sha256Hex(req.rawBody)) return refused('mismatch', 'The body does not match the JWT body_sha256 claim');
  if (typeof claims.webhook_url === 'string' && !pathOf(claims.webhook_url).endsWith(expectedPathSuffix)) {
    return refused('mismatch', 'The JWT was issued for another webhook URL');
  }
  // The signed token itself identifies the delivery: a replay of it (before exp) is recognised.
  return verified(`gong-jwt:${sha256Hex(s)}`);
}

function publicKeyOf(pemOrBase64: string): KeyObject {
  const trimmed = pemOrBase64.trim();
  const pem = trimmed.includes('-----BEGIN') ? trimmed : `-----BEGIN PUBLIC KEY-----\n${trimmed.replace(/\s+/g, '')}\n-----END PUBLIC KEY-----`;
  return createPublicKey(pem);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return url;
  }
}
