import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { PG_POOL } from '@libs/database/database-backend';
import { createWorkspace, invitationTokenIn, lastMail, PASSWORD, signUp, signUpVerified } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const OPERATOR_TOKEN = 'an-operator-token-for-the-hardening-tests-0123456789';
const MAX_FAILURES = 5;

/**
 * Issue 11, items 2, 5 and 8: no account pre-hijacking through member adds and invitations; API
 * keys follow their creator; login's lockout holds under parallel guesses.
 */
describe('identity hardening: pre-hijacking, API keys follow their creator, login races (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const operator = { Authorization: `Bearer ${OPERATOR_TOKEN}` };

  beforeAll(async () => {
    // Listening: parallel supertest requests share one server instead of each starting (and closing) it.
    testApp = await createTestApp({ env: { ADMIN_TOKEN: OPERATOR_TOKEN, LOGIN_MAX_FAILURES: String(MAX_FAILURES) }, listen: true });
    app = testApp.app;
  });
  afterAll(() => testApp?.close());

  const problem = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };

  describe('no account pre-hijacking (item 2)', () => {
    it("a squatter who signed up first with a colleague's address is not added: the address is invited like an unknown one, and only its verified owner accepts", async () => {
      const owner = await signUpVerified(app);
      const ws = await createWorkspace(app, owner);
      const colleague = `colleague-${uuidv7()}@example.com`;
      const squatter = await signUp(app, { email: colleague });

      const unknown = await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: `nobody-${uuidv7()}@example.com`, role: 'member' }).expect(201);
      const added = await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: colleague, role: 'member' }).expect(201);
      // The same answer as for an address without an account: nothing tells the admin that one exists.
      expect(added.body).toEqual(expect.objectContaining({ status: 'invited', email: colleague, role: 'member' }));
      expect(Object.keys(added.body).sort()).toEqual(Object.keys(unknown.body).sort());
      problem(await http().get(`/api/v1/workspaces/${ws}/members`).set(squatter.auth), 404, 'NOT_FOUND');

      // Even holding the token (it went to the colleague's mailbox), the unverified account cannot accept.
      const token = invitationTokenIn((await lastMail(app, colleague, 'invitation')).body);
      problem(await http().post('/api/v1/invitations/accept').set(squatter.auth).send({ token }), 403, 'IDENTITY.EMAIL_NOT_VERIFIED');
      problem(await http().get(`/api/v1/workspaces/${ws}/members`).set(squatter.auth), 404, 'NOT_FOUND');

      // The mailbox's owner takes the account back by a password reset, which also verifies the address.
      await http().post('/api/v1/auth/password-reset').send({ email: colleague }).expect(202);
      const resetToken = /: ([0-9a-f-]{36}\.[A-Za-z0-9_-]{43})\n/.exec((await lastMail(app, colleague, 'password-reset')).body)![1];
      await http().post('/api/v1/auth/password-reset/confirm').send({ token: resetToken, newPassword: 'the rightful owner passphrase' }).expect(204);
      await http().get('/api/v1/me').set(squatter.auth).expect(401);
      const login = await http().post('/api/v1/auth/login').send({ email: colleague, password: 'the rightful owner passphrase' }).expect(200);
      expect(login.body.user.emailVerified).toBe(true);
      const rightful = { Authorization: `Bearer ${login.body.accessToken}` };
      await http().post('/api/v1/invitations/accept').set(rightful).send({ token }).expect(200, { workspaceId: ws, role: 'member' });
      await http().get(`/api/v1/workspaces/${ws}/members`).set(rightful).expect(200);
    });

    it('adds an existing account with a verified email at once', async () => {
      const owner = await signUpVerified(app);
      const ws = await createWorkspace(app, owner);
      const bob = await signUpVerified(app);
      const added = await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: bob.email, role: 'viewer' }).expect(201);
      expect(added.body).toEqual(expect.objectContaining({ status: 'added', userId: bob.userId, role: 'viewer' }));
      await http().get(`/api/v1/workspaces/${ws}/members`).set(bob.auth).expect(200);
    });
  });

  describe('API keys follow their creator (item 5)', () => {
    const key = (k: string) => ({ 'X-API-Key': k });
    const mintKey = async (ws: string, by: Record<string, string>, role: string) =>
      (await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(by).send({ name: `k-${uuidv7().slice(-6)}`, role }).expect(201)).body as { id: string; key: string };
    const invite = (ws: string, by: Record<string, string>) => http().post(`/api/v1/workspaces/${ws}/members`).set(by).send({ email: `x-${uuidv7()}@example.com`, role: 'member' });

    it("acts with the lower of its own role and its creator's current role: demoted creator, capped key; removed creator, dead key (it cannot re-add them)", async () => {
      const owner = await signUpVerified(app);
      const ws = await createWorkspace(app, owner);
      const admin = await signUpVerified(app);
      await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: admin.email, role: 'admin' }).expect(201);
      const k = await mintKey(ws, admin.auth, 'admin');
      await invite(ws, key(k.key)).expect(201);

      // Demoted to viewer: the admin key reads, and writes nothing a viewer may not.
      await http().patch(`/api/v1/workspaces/${ws}/members/${admin.userId}`).set(owner.auth).send({ role: 'viewer' }).expect(200);
      await http().get(`/api/v1/workspaces/${ws}/members`).set(key(k.key)).expect(200);
      problem(await invite(ws, key(k.key)), 403, 'FORBIDDEN');
      problem(await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(key(k.key)).send({ name: 'escalate', role: 'admin' }), 403, 'FORBIDDEN');

      // Promoted back: the key's own role is the ceiling again.
      await http().patch(`/api/v1/workspaces/${ws}/members/${admin.userId}`).set(owner.auth).send({ role: 'admin' }).expect(200);
      await invite(ws, key(k.key)).expect(201);

      // Removed: the key is refused like any key without access, and cannot put its creator back.
      await http().delete(`/api/v1/workspaces/${ws}/members/${admin.userId}`).set(owner.auth).expect(204);
      problem(await http().get(`/api/v1/workspaces/${ws}/members`).set(key(k.key)), 404, 'NOT_FOUND');
      problem(await http().post(`/api/v1/workspaces/${ws}/members`).set(key(k.key)).send({ email: admin.email, role: 'admin' }), 404, 'NOT_FOUND');
      const members = await http().get(`/api/v1/workspaces/${ws}/members`).set(owner.auth).expect(200);
      expect(members.body.items.map((m: { userId: string }) => m.userId)).toEqual([owner.userId]);
    });

    it('dies with its creator\'s account (deactivated) and lives again with it', async () => {
      const owner = await signUpVerified(app);
      const ws = await createWorkspace(app, owner);
      const k = await mintKey(ws, owner.auth, 'admin');
      await http().get(`/api/v1/workspaces/${ws}/members`).set(key(k.key)).expect(200);
      await http().patch(`/api/v1/admin/users/${owner.userId}`).set(operator).send({ active: false }).expect(200);
      problem(await http().get(`/api/v1/workspaces/${ws}/members`).set(key(k.key)), 404, 'NOT_FOUND');
      await http().patch(`/api/v1/admin/users/${owner.userId}`).set(operator).send({ active: true }).expect(200);
      await http().get(`/api/v1/workspaces/${ws}/members`).set(key(k.key)).expect(200);
    });

    it('a key minted by a key follows the whole chain: its parent key revoked, or the person at the root removed', async () => {
      const owner = await signUpVerified(app);
      const ws = await createWorkspace(app, owner);
      const admin = await signUpVerified(app);
      await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: admin.email, role: 'admin' }).expect(201);
      const parent = await mintKey(ws, admin.auth, 'admin');
      const child = await mintKey(ws, key(parent.key), 'admin');
      const list = await http().get(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).expect(200);
      expect(list.body.items.find((x: { id: string }) => x.id === child.id)).toEqual(expect.objectContaining({ createdBy: `api-key:${parent.id}` }));
      await invite(ws, key(child.key)).expect(201);

      // The person at the root demoted: the grandchild is capped too.
      await http().patch(`/api/v1/workspaces/${ws}/members/${admin.userId}`).set(owner.auth).send({ role: 'member' }).expect(200);
      problem(await invite(ws, key(child.key)), 403, 'FORBIDDEN');
      await http().patch(`/api/v1/workspaces/${ws}/members/${admin.userId}`).set(owner.auth).send({ role: 'admin' }).expect(200);

      // The parent key revoked: the key it minted goes with it.
      await http().delete(`/api/v1/workspaces/${ws}/api-keys/${parent.id}`).set(owner.auth).expect(204);
      problem(await http().get(`/api/v1/workspaces/${ws}/members`).set(key(child.key)), 404, 'NOT_FOUND');

      // The person at the root removed: every key down the chain is refused.
      const parent2 = await mintKey(ws, admin.auth, 'admin');
      const child2 = await mintKey(ws, key(parent2.key), 'member');
      await http().get(`/api/v1/workspaces/${ws}/members`).set(key(child2.key)).expect(200);
      await http().delete(`/api/v1/workspaces/${ws}/members/${admin.userId}`).set(owner.auth).expect(204);
      problem(await http().get(`/api/v1/workspaces/${ws}/members`).set(key(parent2.key)), 404, 'NOT_FOUND');
      problem(await http().get(`/api/v1/workspaces/${ws}/members`).set(key(child2.key)), 404, 'NOT_FOUND');
    });
  });

  describe('login cannot be raced (item 8)', () => {
    const eventsOf = async (userId: string) =>
      (await app.get<Pool>(PG_POOL).query<{ event_type: string }>(`SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`user-${userId}`])).rows.map((r) => r.event_type);
    const count = (types: string[], type: string) => types.filter((t) => t === type).length;

    it(`30 parallel wrong passwords: all answer the same 401, at most ${MAX_FAILURES} guesses are checked, and the right password waits for the lock to expire`, async () => {
      const user = await signUp(app);
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => http().post('/api/v1/auth/login').send({ email: user.email, password: `wrong guess number ${i}` })));
      expect(answers.map((r) => r.status)).toEqual(Array(30).fill(401));
      expect(new Set(answers.map((r) => JSON.stringify({ code: r.body.code, detail: r.body.detail, type: r.headers['content-type'] }))).size).toBe(1);
      expect(answers[0].body.code).toBe('IDENTITY.INVALID_CREDENTIALS');

      // Every checked guess was admitted by the user aggregate first and recorded after.
      const types = await eventsOf(user.userId);
      expect(count(types, 'identity.user-login-attempted')).toBeLessThanOrEqual(MAX_FAILURES);
      expect(count(types, 'identity.user-login-failed')).toBe(count(types, 'identity.user-login-attempted'));
      expect(count(types, 'identity.user-login-failed')).toBe(MAX_FAILURES);
      expect(count(types, 'identity.user-locked-out')).toBe(1);

      // Locked: the right password is refused the same way, and nothing more is checked.
      const right = await http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD });
      problem(right, 401, 'IDENTITY.INVALID_CREDENTIALS');
      expect(right.body.detail).toBe(answers[0].body.detail);
      expect(count(await eventsOf(user.userId), 'identity.user-login-attempted')).toBe(count(types, 'identity.user-login-attempted'));
    });

    it('parallel logins with the right password, as many as the budget, all succeed (conflicts are retried, never answered)', async () => {
      const user = await signUp(app);
      const answers = await Promise.all(Array.from({ length: MAX_FAILURES }, () => http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD })));
      expect(answers.map((r) => r.status)).toEqual(Array(MAX_FAILURES).fill(200));
      expect(count(await eventsOf(user.userId), 'identity.user-logged-in')).toBe(MAX_FAILURES);
    });

    it('answers an unknown email like a wrong password, and a deactivated account like both', async () => {
      const user = await signUp(app);
      const wrong = await http().post('/api/v1/auth/login').send({ email: user.email, password: 'not the password' });
      const unknown = await http().post('/api/v1/auth/login').send({ email: `ghost-${uuidv7()}@example.com`, password: 'not the password' });
      await http().patch(`/api/v1/admin/users/${user.userId}`).set(operator).send({ active: false }).expect(200);
      const inactive = await http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD });
      for (const r of [wrong, unknown, inactive]) problem(r, 401, 'IDENTITY.INVALID_CREDENTIALS');
      expect(new Set([wrong, unknown, inactive].map((r) => r.body.detail)).size).toBe(1);
    });
  });
});
