import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifyChatwoot } from './chatwoot.verifier';
import { verifyFathom } from './fathom.verifier';
import { verifyGong } from './gong.verifier';
import { verifySignedJson } from './signed-json.verifier';
import { verifySlack } from './slack.verifier';
import { verifyTelegram } from './telegram.verifier';
import { sha256Hex, SignedRequest } from './webhook-signatures';

const body = Buffer.from('{"type":"event_callback","event":{"type":"message","text":"héllo"}}');
const now = new Date('2026-03-02T10:00:00Z');
const epoch = (d: Date) => String(Math.floor(d.getTime() / 1000));
const minus = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const req = (headers: Record<string, string>, raw = body): SignedRequest => ({ headers, rawBody: raw });
const hmac = (secret: string, ...parts: (string | Buffer)[]) => parts.reduce((h, p) => h.update(p), createHmac('sha256', secret)).digest('hex');

describe('webhook verifiers', () => {
  describe('Slack', () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const signed = (ts: string, raw = body) => req({ 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${hmac(secret, `v0:${ts}:`, raw)}` }, raw);

    it('accepts v0=HMAC of "v0:{timestamp}:{raw body}" within 5 minutes', () => {
      expect(verifySlack(signed(epoch(now)), secret, now)).toEqual({ ok: true, deliveryId: null });
      expect(verifySlack(signed(epoch(minus(299))), secret, now).ok).toBe(true);
    });

    it('refuses another body, another secret, a stale or future timestamp, missing headers, no secret', () => {
      const good = signed(epoch(now));
      expect(verifySlack({ ...good, rawBody: Buffer.from(body.toString().replace('héllo', 'hello')) }, secret, now)).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifySlack(good, 'another-secret', now)).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifySlack(signed(epoch(minus(301))), secret, now)).toMatchObject({ ok: false, reason: 'stale' });
      expect(verifySlack(signed(epoch(minus(-400))), secret, now)).toMatchObject({ ok: false, reason: 'stale' });
      expect(verifySlack(req({ 'x-slack-signature': 'v0=00' }), secret, now)).toMatchObject({ ok: false, reason: 'missing' });
      expect(verifySlack(req({ 'x-slack-request-timestamp': 'yesterday', 'x-slack-signature': 'v0=00' }), secret, now)).toMatchObject({ ok: false, reason: 'missing' });
      expect(verifySlack(good, undefined, now)).toMatchObject({ ok: false, reason: 'not-configured' });
    });
  });

  describe('Telegram', () => {
    it('compares X-Telegram-Bot-Api-Secret-Token with the secret token', () => {
      expect(verifyTelegram(req({ 'x-telegram-bot-api-secret-token': 'tg_Secret-123' }), 'tg_Secret-123').ok).toBe(true);
      expect(verifyTelegram(req({ 'x-telegram-bot-api-secret-token': 'tg_Secret-12' }), 'tg_Secret-123')).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifyTelegram(req({}), 'tg_Secret-123')).toMatchObject({ ok: false, reason: 'missing' });
      expect(verifyTelegram(req({ 'x-telegram-bot-api-secret-token': 'x' }), undefined)).toMatchObject({ ok: false, reason: 'not-configured' });
    });
  });

  describe('Chatwoot', () => {
    const secret = 'cw-webhook-secret';
    const signed = (ts: string, extra: Record<string, string> = {}) => req({ 'x-chatwoot-timestamp': ts, 'x-chatwoot-signature': `sha256=${hmac(secret, `${ts}.`, body)}`, ...extra });

    it('accepts sha256=HMAC of "{timestamp}.{raw body}"; the delivery id is a hash of that signed material, never the unsigned X-Chatwoot-Delivery', () => {
      const signedId = `chatwoot-signed:${sha256Hex(Buffer.concat([Buffer.from(`${epoch(now)}.`), body]))}`;
      expect(verifyChatwoot(signed(epoch(now)), secret, now)).toEqual({ ok: true, deliveryId: signedId });
      // The header changes nothing: a replay under a fresh id is the same delivery, another body under a known id is not.
      expect(verifyChatwoot(signed(epoch(now), { 'x-chatwoot-delivery': 'fresh-id' }), secret, now)).toEqual({ ok: true, deliveryId: signedId });
      const later = verifyChatwoot(signed(epoch(minus(-1)), { 'x-chatwoot-delivery': 'fresh-id' }), secret, minus(-1));
      expect(later).toMatchObject({ ok: true });
      expect(later.ok && later.deliveryId).not.toBe(signedId);
    });

    it('refuses a bad signature, a stale timestamp, an unsigned delivery, and any delivery when no secret is set', () => {
      expect(verifyChatwoot(signed(epoch(now)), 'other', now)).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifyChatwoot(signed(epoch(minus(600))), secret, now)).toMatchObject({ ok: false, reason: 'stale' });
      expect(verifyChatwoot(req({}), secret, now)).toMatchObject({ ok: false, reason: 'missing' });
      expect(verifyChatwoot(req({}), undefined, now)).toMatchObject({ ok: false, reason: 'not-configured' });
    });
  });

  describe('Fathom (Standard Webhooks)', () => {
    const secret = `whsec_${Buffer.from('fathom-test-secret-0123456789abcd').toString('base64')}`;
    const signed = (id: string, at: Date, raw = body) => req({ 'webhook-id': id, 'webhook-timestamp': epoch(at), 'webhook-signature': new Webhook(secret).sign(id, at, raw) }, raw);

    it('accepts a v1 signature (also among several) and gives webhook-id as the delivery id', () => {
      expect(verifyFathom(signed('msg_2x2zwLOcWaRTzsLK8KtbQt1FTk9', new Date()), secret)).toEqual({ ok: true, deliveryId: 'webhook:msg_2x2zwLOcWaRTzsLK8KtbQt1FTk9' });
      const rotated = signed('msg_1', new Date());
      rotated.headers['webhook-signature'] = `v1,bm90IGl0 ${String(rotated.headers['webhook-signature'])}`;
      expect(verifyFathom(rotated, secret).ok).toBe(true);
    });

    it('refuses a tampered body, a stale timestamp, missing headers, no secret', () => {
      const good = signed('msg_1', new Date());
      expect(verifyFathom({ ...good, rawBody: Buffer.from('{}') }, secret)).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifyFathom(signed('msg_1', new Date(Date.now() - 10 * 60_000)), secret)).toMatchObject({ ok: false, reason: 'stale' });
      expect(verifyFathom(req({ 'webhook-id': 'x' }), secret)).toMatchObject({ ok: false, reason: 'missing' });
      expect(verifyFathom(good, undefined)).toMatchObject({ ok: false, reason: 'not-configured' });
    });
  });

  describe('Gong', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const bare = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const path = '/webhooks/gong/0191d2a0-0000-7000-8000-000000000001';
    const jwt = (claims: Record<string, unknown>, alg = 'RS256') => {
      const h = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
      const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const s = createSign('RSA-SHA256').update(`${h}.${p}`).sign(privateKey).toString('base64url');
      return `${h}.${p}.${s}`;
    };
    const claims = { exp: Math.floor(now.getTime() / 1000) + 600, body_sha256: sha256Hex(body), webhook_url: `https://ci.example.com/api/v1${path}` };

    it('accepts the signed JWT header (PEM or the bare base64 key Gong shows), bound to the body and this URL', () => {
      const token = jwt(claims);
      expect(verifyGong(req({ authorization: token }), { publicKey: pem, webhookSecret: undefined }, path, now)).toEqual({ ok: true, deliveryId: `gong-jwt:${sha256Hex(token.split('.')[2])}` });
      expect(verifyGong(req({ authorization: `Bearer ${jwt(claims)}` }), { publicKey: bare, webhookSecret: undefined }, path, now).ok).toBe(true);
    });

    it('refuses an expired JWT, another body, another URL, another key, an unpinned algorithm', () => {
      const keys = { publicKey: pem, webhookSecret: undefined };
      expect(verifyGong(req({ authorization: jwt({ ...claims, exp: Math.floor(now.getTime() / 1000) - 120 }) }), keys, path, now)).toMatchObject({ ok: false, reason: 'stale' });
      expect(verifyGong(req({ authorization: jwt({ ...claims, body_sha256: sha256Hex('{}') }) }), keys, path, now)).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifyGong(req({ authorization: jwt({ ...claims, webhook_url: 'https://ci.example.com/api/v1/webhooks/gong/another' }) }), keys, path, now)).toMatchObject({ ok: false, reason: 'mismatch' });
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(verifyGong(req({ authorization: jwt(claims) }), { publicKey: other, webhookSecret: undefined }, path, now)).toMatchObject({ ok: false, reason: 'mismatch' });
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      expect(verifyGong(req({ authorization: none }), keys, path, now)).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifyGong(req({ authorization: jwt(claims) }), { publicKey: undefined, webhookSecret: 's' }, path, now)).toMatchObject({ ok: false, reason: 'not-configured' });
    });

    it('requires exp (a token without one would be valid forever) and honours nbf and iat with a minute of skew', () => {
      const keys = { publicKey: pem, webhookSecret: undefined };
      const t = Math.floor(now.getTime() / 1000);
      const { exp: _exp, ...noExp } = claims;
      expect(verifyGong(req({ authorization: jwt(noExp) }), keys, path, now)).toMatchObject({ ok: false, reason: 'mismatch', detail: expect.stringMatching(/no exp/) });
      expect(verifyGong(req({ authorization: jwt({ ...claims, exp: String(t + 600) }) }), keys, path, now)).toMatchObject({ ok: false });
      expect(verifyGong(req({ authorization: jwt({ ...claims, exp: t + 30 * 86_400 }) }), keys, path, now)).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifyGong(req({ authorization: jwt({ ...claims, nbf: t + 300 }) }), keys, path, now)).toMatchObject({ ok: false, reason: 'stale' });
      expect(verifyGong(req({ authorization: jwt({ ...claims, nbf: t + 30 }) }), keys, path, now).ok).toBe(true);
      expect(verifyGong(req({ authorization: jwt({ ...claims, iat: t + 300 }) }), keys, path, now)).toMatchObject({ ok: false, reason: 'stale' });
      expect(verifyGong(req({ authorization: jwt({ ...claims, iat: t - 2 * 86_400 }) }), keys, path, now)).toMatchObject({ ok: false, reason: 'stale' });
      expect(verifyGong(req({ authorization: jwt({ ...claims, iat: t - 10 }) }), keys, path, now).ok).toBe(true);
      // Expired within the minute of skew: still taken.
      expect(verifyGong(req({ authorization: jwt({ ...claims, exp: t - 30 }) }), keys, path, now).ok).toBe(true);
    });

    it('takes a relay signed with the webhook secret (X-Signature) and refuses an unsigned request', () => {
      expect(verifyGong(req({ 'x-signature': `sha256=${hmac('gong-relay', body)}` }), { publicKey: undefined, webhookSecret: 'gong-relay' }, path, now).ok).toBe(true);
      expect(verifyGong(req({}), { publicKey: pem, webhookSecret: 'gong-relay' }, path, now)).toMatchObject({ ok: false, reason: 'missing' });
      expect(verifyGong(req({}), { publicKey: undefined, webhookSecret: undefined }, path, now)).toMatchObject({ ok: false, reason: 'not-configured' });
    });
  });

  describe('generic signed JSON', () => {
    it('accepts sha256=HMAC of the raw body (any hex case); the delivery id is a hash of the signed body, never the unsigned X-Delivery-Id', () => {
      const sig = `sha256=${hmac('api-secret', body)}`;
      expect(verifySignedJson(req({ 'x-signature': sig.toUpperCase().replace('SHA256=', 'sha256='), 'x-delivery-id': 'job-7' }), 'api-secret')).toEqual({ ok: true, deliveryId: `body-sha256:${sha256Hex(body)}` });
      expect(verifySignedJson(req({ 'x-signature': sig }, Buffer.from(`${body} `)), 'api-secret')).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifySignedJson(req({ 'x-signature': sig }), undefined)).toMatchObject({ ok: false, reason: 'not-configured' });
      expect(verifySignedJson(req({}), 'api-secret')).toMatchObject({ ok: false, reason: 'missing' });
    });
  });
});
