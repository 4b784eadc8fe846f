import { createHmac } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { PG_POOL } from '@libs/database/database-backend';
import { PlatformSecrets } from '@modules/identity/infrastructure/platform-secrets';
import { lastMail, PASSWORD, pinIn, signUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const ADMIN_EMAIL = 'root@example.com';
const ADMIN_PASSWORD = 'a very long admin passphrase';

describe('identity: sign-up, PIN, login, lockout, refresh rotation, logout (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp({ env: { BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    app = testApp.app;
  });
  afterAll(() => testApp?.close());

  const problem = (res: request.Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
  };

  describe('sign-up', () => {
    it('answers 201 with tokens and the user, and /me shows the user with organizations and workspaces', async () => {
      const email = `Ada.${uuidv7()}@Example.com`;
      const res = await http().post('/api/v1/auth/signup').send({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace', organizationName: `Analytical ${uuidv7()}` }).expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900, user: expect.objectContaining({ id: expect.any(String), email }) }),
      );
      expect(res.body.user.passwordHash).toBeUndefined();
      const me = await http().get('/api/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
      expect(me.body).toEqual(
        expect.objectContaining({ id: res.body.user.id, email, firstName: 'Ada', lastName: 'Lovelace', fullName: 'Ada Lovelace', emailVerified: false, superuser: false, workspaces: [] }),
      );
      expect(me.body.organizations).toEqual([expect.objectContaining({ domain: 'example.com', subscriptionPlan: 'free' })]);
    });

    it('refuses a duplicate email (any case) with 409, a weak password and a malformed email with 400, and stores nothing for them', async () => {
      const first = await signUp(app);
      const pool = app.get<Pool>(PG_POOL);
      const before = Number((await pool.query(`SELECT count(*) FROM events`)).rows[0].count);
      problem(await http().post('/api/v1/auth/signup').send({ email: first.email.toUpperCase(), password: PASSWORD, firstName: 'A', lastName: 'B' }), 409, 'IDENTITY.EMAIL_TAKEN');
      const weak = await http().post('/api/v1/auth/signup').send({ email: `w-${uuidv7()}@example.com`, password: 'password1', firstName: 'A', lastName: 'B' });
      problem(weak, 400, 'IDENTITY.WEAK_PASSWORD');
      expect(weak.body.errors[0].field).toBe('password');
      const bad = await http().post('/api/v1/auth/signup').send({ email: 'not-an-email', password: PASSWORD, firstName: '', lastName: 'B', extra: 1 });
      problem(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'extra', 'firstName']);
      expect(Number((await pool.query(`SELECT count(*) FROM events`)).rows[0].count)).toBe(before);
    });

    it('verifies the email with the PIN from the mail; wrong PINs count and run out; a used PIN does not work again', async () => {
      const user = await signUp(app);
      const pin = pinIn((await lastMail(app, user.email, 'signup-pin')).body);
      const wrong = pin === '000000' ? '111111' : '000000';
      const miss = await http().post('/api/v1/auth/verify-email').send({ email: user.email, pin: wrong });
      problem(miss, 400, 'IDENTITY.PIN_INVALID');
      expect(miss.body.attemptsLeft).toBe(4);
      await http().post('/api/v1/auth/verify-email').send({ email: user.email, pin }).expect(200, { verified: true, userId: user.userId });
      const me = await http().get('/api/v1/me').set(user.auth).expect(200);
      expect(me.body.emailVerified).toBe(true);
      problem(await http().post('/api/v1/auth/verify-email').send({ email: user.email, pin }), 409, 'IDENTITY.SIGNUP_ALREADY_COMPLETED');

      const other = await signUp(app);
      const otherPin = pinIn((await lastMail(app, other.email, 'signup-pin')).body);
      const bad = otherPin === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) problem(await http().post('/api/v1/auth/verify-email').send({ email: other.email, pin: bad }), 400, 'IDENTITY.PIN_INVALID');
      // The right PIN is of no use any more.
      problem(await http().post('/api/v1/auth/verify-email').send({ email: other.email, pin: otherPin }), 429, 'IDENTITY.PIN_ATTEMPTS_EXHAUSTED');
      problem(await http().post('/api/v1/auth/verify-email').send({ email: `nobody-${uuidv7()}@example.com`, pin: '123456' }), 400, 'IDENTITY.PIN_INVALID');
      problem(await http().post('/api/v1/auth/verify-email').send({ email: other.email, pin: '12ab' }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('login and lockout', () => {
    it('answers an unknown email and a wrong password identically (no enumeration)', async () => {
      const user = await signUp(app);
      const wrong = await http().post('/api/v1/auth/login').send({ email: user.email, password: 'not the password at all' });
      const unknown = await http().post('/api/v1/auth/login').send({ email: `ghost-${uuidv7()}@example.com`, password: 'not the password at all' });
      problem(wrong, 401, 'IDENTITY.INVALID_CREDENTIALS');
      problem(unknown, 401, 'IDENTITY.INVALID_CREDENTIALS');
      expect(wrong.body.detail).toBe(unknown.body.detail);
      const ok = await http().post('/api/v1/auth/login').send({ email: user.email.toUpperCase(), password: PASSWORD }).expect(200);
      expect(ok.body.user).toEqual(expect.objectContaining({ id: user.userId, lastLoginAt: expect.any(String) }));
    });

    it('locks the account after 5 failures: even the right password is refused, with the same answer', async () => {
      const user = await signUp(app);
      for (let i = 0; i < 5; i++) problem(await http().post('/api/v1/auth/login').send({ email: user.email, password: `wrong password ${i}` }), 401, 'IDENTITY.INVALID_CREDENTIALS');
      problem(await http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }), 401, 'IDENTITY.INVALID_CREDENTIALS');
      const events = await app.get<Pool>(PG_POOL).query(`SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`user-${user.userId}`]);
      // Each guess is admitted by the user aggregate before its password is checked; the right password, locked out, is not even checked.
      const guess = ['identity.user-login-attempted', 'identity.user-login-failed'];
      expect(events.rows.map((r) => r.event_type)).toEqual(['identity.user-registered', ...Array(5).fill(guess).flat(), 'identity.user-locked-out']);
    });
  });

  describe('password reset', () => {
    it('answers every request the same; the mailed token works once, before expiry, revokes sessions and lifts a lockout', async () => {
      const user = await signUp(app);
      const known = await http().post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
      const unknown = await http().post('/api/v1/auth/password-reset').send({ email: `ghost-${uuidv7()}@example.com` }).expect(202);
      expect(known.body).toEqual(unknown.body);
      // Locked out meanwhile: the reset proves the mailbox and unlocks.
      for (let i = 0; i < 5; i++) await http().post('/api/v1/auth/login').send({ email: user.email, password: `wrong ${i} wrong` }).expect(401);
      const token = /: ([0-9a-f-]{36}\.[A-Za-z0-9_-]{43})\n/.exec((await lastMail(app, user.email, 'password-reset')).body)![1];
      const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      problem(await http().post('/api/v1/auth/password-reset/confirm').send({ token: tampered, newPassword: 'a brand new passphrase' }), 400, 'IDENTITY.PASSWORD_RESET_INVALID');
      problem(await http().post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'short' }), 400, 'IDENTITY.WEAK_PASSWORD');
      await http().post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'a brand new passphrase' }).expect(204);
      await http().get('/api/v1/me').set(user.auth).expect(401);
      problem(await http().post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'yet another passphrase' }), 400, 'IDENTITY.PASSWORD_RESET_INVALID');
      await http().post('/api/v1/auth/login').send({ email: user.email, password: 'a brand new passphrase' }).expect(200);
      problem(await http().post('/api/v1/auth/password-reset/confirm').send({ token: 'nope', newPassword: 'whatever it is' }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('refresh rotation and sessions', () => {
    it('rotates the refresh token; reusing a rotated one revokes the whole session', async () => {
      const user = await signUp(app);
      const first = await http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
      expect(first.body.refreshToken).not.toBe(user.refreshToken);
      await http().get('/api/v1/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(200);
      // The old one again: theft signal.
      problem(await http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }), 401, 'IDENTITY.REFRESH_TOKEN_REUSED');
      // The family is gone: the newest refresh token and its access token stop working too.
      problem(await http().post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken }), 401, 'IDENTITY.REFRESH_TOKEN_INVALID');
      await http().get('/api/v1/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(401);
      problem(await http().post('/api/v1/auth/refresh').send({ refreshToken: 'garbage' }), 401, 'IDENTITY.REFRESH_TOKEN_INVALID');
    });

    it('logout ends the session at once; logout-all ends every session; a password change ends the others', async () => {
      const user = await signUp(app);
      const second = await http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);
      const third = await http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);
      const sessions = await http().get('/api/v1/me/sessions').set(user.auth).expect(200);
      expect(sessions.body.items).toHaveLength(3);
      expect(sessions.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

      await http().post('/api/v1/auth/logout').set('Authorization', `Bearer ${third.body.accessToken}`).expect(204);
      await http().get('/api/v1/me').set('Authorization', `Bearer ${third.body.accessToken}`).expect(401);
      await http().get('/api/v1/me').set(user.auth).expect(200);

      problem(await http().post('/api/v1/me/password').set(user.auth).send({ currentPassword: 'nope nope nope', newPassword: 'another long passphrase' }), 403, 'IDENTITY.WRONG_PASSWORD');
      await http().post('/api/v1/me/password').set(user.auth).send({ currentPassword: PASSWORD, newPassword: 'another long passphrase' }).expect(204);
      await http().get('/api/v1/me').set('Authorization', `Bearer ${second.body.accessToken}`).expect(401);
      await http().get('/api/v1/me').set(user.auth).expect(200);
      problem(await http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }), 401, 'IDENTITY.INVALID_CREDENTIALS');
      await http().post('/api/v1/auth/login').send({ email: user.email, password: 'another long passphrase' }).expect(200);

      await http().post('/api/v1/auth/logout-all').set(user.auth).expect(204);
      await http().get('/api/v1/me').set(user.auth).expect(401);
    });

    it('edits the profile with validation (E.164 phone, IANA timezone, theme)', async () => {
      const user = await signUp(app);
      const ok = await http().patch('/api/v1/me').set(user.auth).send({ phone: '+33612345678', timezone: 'Europe/Paris', themePreference: 'dark', jobTitle: 'PM', onboardingCompleted: true }).expect(200);
      expect(ok.body).toEqual(expect.objectContaining({ phone: '+33612345678', timezone: 'Europe/Paris', themePreference: 'dark', jobTitle: 'PM', onboardingCompleted: true }));
      const bad = await http().patch('/api/v1/me').set(user.auth).send({ phone: '0612345678', timezone: 'Mars/Olympus', themePreference: 'blue' });
      problem(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['phone', 'themePreference', 'timezone']);
      const me = await http().get('/api/v1/me').set(user.auth).expect(200);
      expect(me.body.phone).toBe('+33612345678');
    });
  });

  describe('tokens', () => {
    it('refuses a tampered, an expired and an unsigned JWT with 401', async () => {
      const user = await signUp(app);
      const [h, p, s] = user.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, su: true })).toString('base64url')}.${s}`;
      await http().get('/api/v1/me').set('Authorization', `Bearer ${tampered}`).expect(401);
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
      await http().get('/api/v1/me').set('Authorization', `Bearer ${none}`).expect(401);
      // Correctly signed with the real key, but expired.
      const secret = await app.get(PlatformSecrets).getOrCreate('jwt-signing');
      const expiredClaims = Buffer.from(JSON.stringify({ ...claims, iat: 1_000, exp: 2_000 })).toString('base64url');
      const sig = createHmac('sha256', secret).update(`${h}.${expiredClaims}`).digest('base64url');
      const expired = await http().get('/api/v1/me').set('Authorization', `Bearer ${h}.${expiredClaims}.${sig}`);
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('UNAUTHENTICATED');
      // The same forgery with a fresh expiry passes: the signature check above is real.
      const freshClaims = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
      const freshSig = createHmac('sha256', secret).update(`${h}.${freshClaims}`).digest('base64url');
      await http().get('/api/v1/me').set('Authorization', `Bearer ${h}.${freshClaims}.${freshSig}`).expect(200);
    });

    it('the bootstrap superuser reaches the admin API; a normal user gets 403, no token 401', async () => {
      const login = await http().post('/api/v1/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200);
      expect(login.body.user.superuser).toBe(true);
      await http().get('/api/v1/admin/projections').set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
      const users = await http().get('/api/v1/admin/users').query({ q: 'root@' }).set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
      expect(users.body.items.map((u: { email: string }) => u.email)).toEqual([ADMIN_EMAIL]);
      const user = await signUp(app);
      await http().get('/api/v1/admin/projections').set(user.auth).expect(403);
      await http().get('/api/v1/admin/projections').expect(401);
      // Deactivating a user ends their access at once.
      await http().patch(`/api/v1/admin/users/${user.userId}`).set('Authorization', `Bearer ${login.body.accessToken}`).send({ active: false }).expect(200);
      await http().get('/api/v1/me').set(user.auth).expect(401);
      problem(await http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }), 401, 'IDENTITY.INVALID_CREDENTIALS');
    });
  });
});

describe('identity: rate limits on the auth routes (e2e)', () => {
  it('answers 429 RATE_LIMITED past the configured requests per minute', async () => {
    const { app, close } = await createTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ email: 'x@example.com', password: 'whatever it is' });
        codes.push(res.status);
        if (res.status === 429) expect(res.body.code).toBe('RATE_LIMITED');
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await close();
    }
  });
});
