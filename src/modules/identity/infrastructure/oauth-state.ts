import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a connect attempt's `state` binds: the attempt (its row holds the PKCE verifier), the user, the workspace, the provider, the expiry. */
export interface OAuthStateClaims {
  /** The connect attempt's id (identity_oauth_connect_attempts.id). */
  attemptId: string;
  userId: string;
  workspaceId: string;
  provider: string;
  /** Unix seconds. */
  expiresAt: number;
}

export type OAuthStateCheck = { ok: true; claims: OAuthStateClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * The OAuth `state`: `<base64url JSON claims>.<base64url HMAC-SHA256>` under a platform secret.
 * The signature makes it unforgeable (a tampered user, workspace or expiry is refused before
 * anything is read); single use is the attempt row's job (deleted as the callback reads it).
 * It carries ids only, never the PKCE verifier: it travels through the browser and the provider.
 */
export class OAuthStateSigner {
  constructor(
    private readonly key: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (key.length < 32) throw new Error('The OAuth state key must be at least 32 characters');
  }

  sign(claims: OAuthStateClaims): string {
    const payload = b64(JSON.stringify({ v: 1, a: claims.attemptId, u: claims.userId, w: claims.workspaceId, p: claims.provider, e: claims.expiresAt }));
    return `${payload}.${this.mac(payload)}`;
  }

  verify(state: string): OAuthStateCheck {
    const parts = typeof state === 'string' && state.length <= 2048 ? state.split('.') : [];
    if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return { ok: false, reason: 'malformed' };
    const [payload, mac] = parts;
    const expected = Buffer.from(this.mac(payload), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    // Constant time: the signature is checked before the payload is even parsed.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
    let c: { v?: unknown; a?: unknown; u?: unknown; w?: unknown; p?: unknown; e?: unknown };
    try {
      c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (c.v !== 1 || typeof c.a !== 'string' || typeof c.u !== 'string' || typeof c.w !== 'string' || typeof c.p !== 'string' || typeof c.e !== 'number') {
      return { ok: false, reason: 'malformed' };
    }
    if (c.e * 1000 <= this.now().getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { attemptId: c.a, userId: c.u, workspaceId: c.w, provider: c.p, expiresAt: c.e } };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`oauth-state.v1\n${payload}`).digest('base64url');
  }
}
