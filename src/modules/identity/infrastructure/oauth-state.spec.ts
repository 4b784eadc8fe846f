import { OAuthStateClaims, OAuthStateSigner } from './oauth-state';

const KEY = 'k'.repeat(43);
const at = (iso: string) => () => new Date(iso);
const claims: OAuthStateClaims = {
  attemptId: '0193b8c6-0000-7000-8000-000000000001',
  userId: '0193b8c6-0000-7000-8000-000000000002',
  workspaceId: '0193b8c6-0000-7000-8000-000000000003',
  provider: 'google',
  expiresAt: Date.parse('2026-01-01T00:10:00Z') / 1000,
};

describe('OAuthStateSigner', () => {
  const signer = new OAuthStateSigner(KEY, at('2026-01-01T00:00:00Z'));

  it('verifies what it signed and gives the claims back', () => {
    const state = signer.sign(claims);
    expect(state).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signer.verify(state)).toEqual({ ok: true, claims });
  });

  it('refuses a payload changed to name another user (the signature no longer matches)', () => {
    const [payload, mac] = signer.sign(claims).split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString());
    forged.u = '0193b8c6-0000-7000-8000-00000000000f';
    expect(signer.verify(`${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a state signed with another key, a flipped signature and garbage', () => {
    const other = new OAuthStateSigner('o'.repeat(43), at('2026-01-01T00:00:00Z')).sign(claims);
    expect(signer.verify(other)).toEqual({ ok: false, reason: 'bad_signature' });
    const [payload, mac] = signer.sign(claims).split('.');
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    expect(signer.verify(`${payload}.${flipped}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(signer.verify(`${payload}.`)).toEqual({ ok: false, reason: 'malformed' });
    expect(signer.verify('not-a-state')).toEqual({ ok: false, reason: 'malformed' });
    expect(signer.verify('a.b.c')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a state at or past its expiry', () => {
    const state = signer.sign(claims);
    expect(new OAuthStateSigner(KEY, at('2026-01-01T00:09:59Z')).verify(state).ok).toBe(true);
    expect(new OAuthStateSigner(KEY, at('2026-01-01T00:10:00Z')).verify(state)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a short key', () => {
    expect(() => new OAuthStateSigner('short')).toThrow(/at least 32/);
  });
});
