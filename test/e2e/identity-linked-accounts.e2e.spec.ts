import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox, SecretBoxError } from '@libs/common/crypto/secret-box';
import { formatSecretKey } from '@libs/common/crypto/secret-keys';
import { SecretRotation } from '@libs/common/crypto/secret-rotation';
import { oauthTokenAad, oauthTokenColumns, OAuthTokenVault } from '@modules/identity/infrastructure/oauth-token-vault';
import { eventually } from '@test/support/eventually';
import { linkOAuthAccount, signUp, SignedUp, uniqueSecret } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'linked-accounts-operator-token-0123456789';
const KEY = SecretBox.generateKey('k1');

/** A fresh Telegram user id (up to 2^40: real ids are far below Number.MAX_SAFE_INTEGER). */
const telegramId = () => Number(BigInt(`0x${randomBytes(5).toString('hex')}`)) + 1;

/**
 * Linked identities (issue 5 item 5): the user's Telegram account (1:1, names crypto-shredded),
 * their OAuth accounts (tokens sealed before the log, never answered), and platform settings.
 */
describe('identity: Telegram profile, OAuth accounts, app settings (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  const http = () => request(app.getHttpServer());
  const operator = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN, SECRETS_KEYS: formatSecretKey(KEY) } });
    ({ app, pool } = testApp);
  });
  afterAll(() => testApp?.close());

  const problem = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };
  const eventsOf = async (streamId: string) =>
    (await pool.query<{ event_type: string; payload: string }>(`SELECT event_type, payload::text AS payload FROM events WHERE stream_id = $1 ORDER BY stream_version`, [streamId])).rows;

  describe('Telegram profile (PUT/GET/DELETE /api/v1/me/telegram)', () => {
    const profile = (id: number, extra: Record<string, unknown> = {}) => ({ telegramUserId: id, firstName: 'Ada', lastName: 'Lovelace', languageCode: 'en', isPremium: true, ...extra });

    it('links, reads, updates only on change, and unlinks; the names never reach the log in clear', async () => {
      const ada = await signUp(app);
      const id = telegramId();
      const tag = uuidv7().slice(-8);
      problem(await http().get('/api/v1/me/telegram').set(ada.auth), 404, 'IDENTITY.TELEGRAM_PROFILE_NOT_FOUND');

      const linked = await http().put('/api/v1/me/telegram').set(ada.auth).send(profile(id, { firstName: `Ada${tag}`, lastName: `Byron${tag}` })).expect(200);
      expect(linked.body).toEqual({
        telegramUserId: id, firstName: `Ada${tag}`, lastName: `Byron${tag}`, languageCode: 'en', isBot: false, isPremium: true, sourceId: null,
        createdAt: expect.any(String), updatedAt: expect.any(String),
      });
      await http().get('/api/v1/me/telegram').set(ada.auth).expect(200, linked.body);

      // The same profile again changes nothing; a change is one event.
      await http().put('/api/v1/me/telegram').set(ada.auth).send(profile(id, { firstName: `Ada${tag}`, lastName: `Byron${tag}` })).expect(200);
      expect((await eventsOf(`telegram-profile-${ada.userId}`)).map((e) => e.event_type)).toEqual(['identity.telegram-profile-linked']);
      const updated = await http().put('/api/v1/me/telegram').set(ada.auth).send({ telegramUserId: id, firstName: `Ada${tag}`, languageCode: 'pt-BR' }).expect(200);
      expect(updated.body).toEqual(expect.objectContaining({ lastName: null, languageCode: 'pt-BR', isPremium: false }));
      const events = await eventsOf(`telegram-profile-${ada.userId}`);
      expect(events.map((e) => e.event_type)).toEqual(['identity.telegram-profile-linked', 'identity.telegram-profile-updated']);
      for (const e of events) {
        expect(e.payload).not.toContain(tag);
        expect(e.payload).toContain('$pii');
      }

      await http().delete('/api/v1/me/telegram').set(ada.auth).expect(204);
      problem(await http().get('/api/v1/me/telegram').set(ada.auth), 404, 'IDENTITY.TELEGRAM_PROFILE_NOT_FOUND');
      problem(await http().delete('/api/v1/me/telegram').set(ada.auth), 404, 'IDENTITY.TELEGRAM_PROFILE_NOT_FOUND');
    });

    it('one Telegram account per user: 409 while another user holds it, free again once unlinked or replaced', async () => {
      const ada = await signUp(app);
      const bob = await signUp(app);
      const first = telegramId();
      await http().put('/api/v1/me/telegram').set(ada.auth).send(profile(first)).expect(200);
      const taken = await http().put('/api/v1/me/telegram').set(bob.auth).send(profile(first, { firstName: 'Bob' }));
      problem(taken, 409, 'IDENTITY.TELEGRAM_PROFILE_TAKEN');
      expect(JSON.stringify(taken.body)).not.toContain('Ada');
      problem(await http().get('/api/v1/me/telegram').set(bob.auth), 404, 'IDENTITY.TELEGRAM_PROFILE_NOT_FOUND');

      // Ada moves to another Telegram account: the first id is released.
      const second = telegramId();
      await http().put('/api/v1/me/telegram').set(ada.auth).send(profile(second)).expect(200);
      expect((await eventsOf(`telegram-profile-${ada.userId}`)).map((e) => e.event_type)).toEqual([
        'identity.telegram-profile-linked',
        'identity.telegram-profile-unlinked',
        'identity.telegram-profile-linked',
      ]);
      await http().put('/api/v1/me/telegram').set(bob.auth).send(profile(first, { firstName: 'Bob' })).expect(200);
      problem(await http().put('/api/v1/me/telegram').set(bob.auth).send(profile(second)), 409, 'IDENTITY.TELEGRAM_PROFILE_TAKEN');
      // Bob's failed attempt left his own profile as it was.
      expect((await http().get('/api/v1/me/telegram').set(bob.auth).expect(200)).body.telegramUserId).toBe(first);

      await http().delete('/api/v1/me/telegram').set(ada.auth).expect(204);
      await http().put('/api/v1/me/telegram').set(bob.auth).send(profile(second)).expect(200);
      // Bob gave up `first` by moving: Ada can take it.
      await http().put('/api/v1/me/telegram').set(ada.auth).send(profile(first)).expect(200);
    });

    it('two users racing for one Telegram id: exactly one wins (the claim stream is the lock)', async () => {
      const [ada, bob] = await Promise.all([signUp(app), signUp(app)]);
      const id = telegramId();
      const answers = await Promise.all([ada, bob].map((u) => http().put('/api/v1/me/telegram').set(u.auth).send(profile(id))));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const rows = await pool.query(`SELECT user_id FROM identity_telegram_profiles_view WHERE telegram_user_id = $1`, [id]);
      expect(rows.rows).toHaveLength(1);
    });

    it('refuses bad input with 400 field errors and anonymous callers with 401, storing nothing', async () => {
      const ada = await signUp(app);
      const before = Number((await pool.query(`SELECT count(*) FROM events`)).rows[0].count);
      const cases: [Record<string, unknown>, string][] = [
        [{ ...profile(0) }, 'telegramUserId'],
        [{ ...profile(-5) }, 'telegramUserId'],
        [{ ...profile(1.5) }, 'telegramUserId'],
        [{ ...profile(1), telegramUserId: '42' }, 'telegramUserId'],
        [{ ...profile(2 ** 60) }, 'telegramUserId'],
        [{ ...profile(1), firstName: '' }, 'firstName'],
        [{ telegramUserId: 1 }, 'firstName'],
        [{ ...profile(1), languageCode: 'english-please' }, 'languageCode'],
        [{ ...profile(1), languageCode: 'e n' }, 'languageCode'],
        [{ ...profile(1), isBot: 'yes' }, 'isBot'],
        [{ ...profile(1), userId: uuidv7() }, 'userId'],
      ];
      for (const [body, field] of cases) {
        const res = await http().put('/api/v1/me/telegram').set(ada.auth).send(body);
        problem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(Number((await pool.query(`SELECT count(*) FROM events`)).rows[0].count)).toBe(before);
      await http().get('/api/v1/me/telegram').expect(401);
      await http().put('/api/v1/me/telegram').send(profile(telegramId())).expect(401);
      await http().delete('/api/v1/me/telegram').set(operator).expect(401);
    });

    it("erasing the user forgets the Telegram names, in the read model and after a rebuild", async () => {
      const tag = uuidv7().slice(-8);
      const carol = await signUp(app);
      const id = telegramId();
      await http().put('/api/v1/me/telegram').set(carol.auth).send(profile(id, { firstName: `Carol${tag}`, lastName: `Herschel${tag}` })).expect(200);
      const row = () => pool.query(`SELECT telegram_user_id::text AS t, first_name, last_name, language_code FROM identity_telegram_profiles_view WHERE user_id = $1`, [carol.userId]);
      expect((await row()).rows[0]).toEqual({ t: String(id), first_name: `Carol${tag}`, last_name: `Herschel${tag}`, language_code: 'en' });

      await http().delete(`/api/v1/admin/subjects/${carol.userId}`).set(operator).expect(200);
      expect((await row()).rows[0]).toEqual({ t: String(id), first_name: '[erased]', last_name: '[erased]', language_code: 'en' });

      const r = await http().post('/api/v1/admin/projections/identity.telegram-profiles/rebuild').set(operator).expect(202);
      await eventually(async () => {
        const list = await http().get('/api/v1/admin/projections/rebuilds').query({ projection: 'identity.telegram-profiles' }).set(operator).expect(200);
        expect(list.body.items.find((x: { id: string }) => x.id === r.body.rebuildId)?.status).toBe('completed');
      }, 20_000, 100);
      expect((await row()).rows[0]).toEqual({ t: String(id), first_name: '[erased]', last_name: '[erased]', language_code: 'en' });
      const all = await pool.query(`SELECT row_to_json(t)::text AS j FROM identity_telegram_profiles_view t`);
      expect(all.rows.map((x) => x.j).join('\n')).not.toContain(tag);
    });
  });

  describe('OAuth accounts (/api/v1/me/oauth-accounts)', () => {
    const forbidden = (a: { accessToken: string; refreshToken: string; idToken: string }) => [a.accessToken, a.refreshToken, a.idToken];
    const expectNoToken = (text: string, secrets: string[]) => {
      for (const s of secrets) expect(text).not.toContain(s);
    };

    it('links an account: 201 without any token, listed with has* flags, sealed in the log and the read model, opened by tokensFor', async () => {
      const ada = await signUp(app);
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const account = await linkOAuthAccount(app, ada, { expiresAt });
      expect(account.body).toEqual({
        id: expect.any(String), provider: 'google', providerAccountId: account.providerAccountId, expiresAt, tokenType: 'Bearer', scope: 'openid email',
        sessionState: null, hasRefreshToken: true, hasIdToken: true, syncState: {}, createdAt: expect.any(String), updatedAt: expect.any(String),
      });
      expectNoToken(JSON.stringify(account.body), forbidden(account));
      const list = await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200);
      expect(list.body).toEqual({ items: [account.body] });

      // The log holds SecretBox tokens, themselves sealed with the user's data-subject key (erasure
      // makes them unopenable); read back through the store they are the read model's very ciphertexts.
      const [linked] = await eventsOf(`oauth-account-${account.id}`);
      expectNoToken(linked.payload, forbidden(account));
      expect(JSON.parse(linked.payload).accessTokenCiphertext).toEqual(expect.objectContaining({ $pii: 1, s: ada.userId }));
      const data = (await app.get(PostgresEventStore).readStream(`oauth-account-${account.id}`)).events[0].data as Record<string, string>;
      expect(data.accessTokenCiphertext).toMatch(/^v1\.k1\./);
      const view = await pool.query(`SELECT access_token_ciphertext, refresh_token_ciphertext, id_token_ciphertext FROM identity_oauth_accounts_view WHERE id = $1`, [account.id]);
      expect(view.rows[0]).toEqual({ access_token_ciphertext: data.accessTokenCiphertext, refresh_token_ciphertext: data.refreshTokenCiphertext, id_token_ciphertext: data.idTokenCiphertext });

      const vault = app.get(OAuthTokenVault);
      expect(await vault.tokensFor(account.id)).toEqual({
        accountId: account.id, userId: ada.userId, provider: 'google', providerAccountId: account.providerAccountId,
        accessToken: account.accessToken, refreshToken: account.refreshToken, idToken: account.idToken, expiresAt: new Date(expiresAt), tokenType: 'Bearer', scope: 'openid email',
      });
      expect(await vault.tokensFor(uuidv7())).toBeNull();
      expect(await vault.tokensFor('not-a-uuid')).toBeNull();
    });

    it('binds each ciphertext to its account and role (AAD): moved elsewhere it does not open', async () => {
      const ada = await signUp(app);
      const a = await linkOAuthAccount(app, ada);
      const b = await linkOAuthAccount(app, ada, { provider: 'microsoft' });
      await pool.query(
        `UPDATE identity_oauth_accounts_view SET access_token_ciphertext = (SELECT access_token_ciphertext FROM identity_oauth_accounts_view WHERE id = $1) WHERE id = $2`,
        [a.id, b.id],
      );
      await expect(app.get(OAuthTokenVault).tokensFor(b.id)).rejects.toThrow(SecretBoxError);
      // Another column of the same row (refresh token sealed as the access token) does not open either.
      const box = app.get(SecretBox);
      const { rows } = await pool.query(`SELECT refresh_token_ciphertext AS c FROM identity_oauth_accounts_view WHERE id = $1`, [a.id]);
      expect(() => box.decrypt(rows[0].c, oauthTokenAad(a.id, 'access'))).toThrow(SecretBoxError);
      expect(box.decrypt(rows[0].c, oauthTokenAad(a.id, 'refresh'))).toBe(a.refreshToken);
      // Unlinking removes the tampered row (and leaves nothing unreadable for the rotation below).
      // Its tokens do not open, so nothing is revoked at the provider; the account still unlinks.
      expect((await http().delete(`/api/v1/me/oauth-accounts/${b.id}`).set(ada.auth).expect(200)).body).toEqual({ revoked: false, revocation: 'not_attempted' });
    });

    it("(provider, provider account) belongs to one user: 409 for another, a re-link with new tokens for the same; free once unlinked", async () => {
      const ada = await signUp(app);
      const bob = await signUp(app);
      const account = await linkOAuthAccount(app, ada, { provider: 'github' });
      const steal = await http().post('/api/v1/me/oauth-accounts').set(bob.auth).send({ provider: 'github', providerAccountId: account.providerAccountId, accessToken: uniqueSecret('bob') });
      problem(steal, 409, 'IDENTITY.OAUTH_ACCOUNT_TAKEN');
      expect((await http().get('/api/v1/me/oauth-accounts').set(bob.auth).expect(200)).body.items).toEqual([]);
      // The same pair at another provider is another account.
      await linkOAuthAccount(app, bob, { provider: 'slack', providerAccountId: account.providerAccountId });

      // Ada consents again: same account, new tokens (a refresh token left out is gone).
      const again = await http()
        .post('/api/v1/me/oauth-accounts')
        .set(ada.auth)
        .send({ provider: 'github', providerAccountId: account.providerAccountId, accessToken: uniqueSecret('access2') })
        .expect(201);
      expect(again.body).toEqual(expect.objectContaining({ id: account.id, hasRefreshToken: false, hasIdToken: false, createdAt: account.body.createdAt }));
      expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items).toHaveLength(1);

      // GitHub accounts are linked with tokens obtained elsewhere: no revocation is attempted.
      expect((await http().delete(`/api/v1/me/oauth-accounts/${account.id}`).set(ada.auth).expect(200)).body).toEqual({ revoked: false, revocation: 'not_attempted' });
      expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items).toEqual([]);
      expect(await app.get(OAuthTokenVault).tokensFor(account.id)).toBeNull();
      problem(await http().delete(`/api/v1/me/oauth-accounts/${account.id}`).set(ada.auth), 404, 'IDENTITY.OAUTH_ACCOUNT_NOT_FOUND');
      const bobs = await linkOAuthAccount(app, bob, { provider: 'github', providerAccountId: account.providerAccountId });
      expect(bobs.id).not.toBe(account.id);
    });

    it('two users racing for one provider account: exactly one wins', async () => {
      const [ada, bob] = await Promise.all([signUp(app), signUp(app)]);
      const providerAccountId = `sub-${uuidv7()}`;
      const answers = await Promise.all(
        [ada, bob].map((u) => http().post('/api/v1/me/oauth-accounts').set(u.auth).send({ provider: 'google', providerAccountId, accessToken: uniqueSecret('race') })),
      );
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
      const rows = await pool.query(`SELECT user_id FROM identity_oauth_accounts_view WHERE provider = 'google' AND provider_account_id = $1`, [providerAccountId]);
      expect(rows.rows).toHaveLength(1);
    });

    it('refreshes tokens (new access token and expiry; what was not rotated stays) and records the sync state', async () => {
      const ada = await signUp(app);
      const account = await linkOAuthAccount(app, ada, { expiresAt: new Date(Date.now() + 60_000).toISOString() });
      const access2 = uniqueSecret('access2');
      const expires2 = new Date(Date.now() + 7_200_000).toISOString();
      const refreshed = await http().post(`/api/v1/me/oauth-accounts/${account.id}/tokens`).set(ada.auth).send({ accessToken: access2, expiresAt: expires2 }).expect(200);
      expect(refreshed.body).toEqual(expect.objectContaining({ id: account.id, expiresAt: expires2, hasRefreshToken: true, scope: 'openid email' }));
      expectNoToken(JSON.stringify(refreshed.body), [access2]);
      const tokens = await app.get(OAuthTokenVault).tokensFor(account.id);
      expect(tokens).toEqual(expect.objectContaining({ accessToken: access2, refreshToken: account.refreshToken, idToken: account.idToken, expiresAt: new Date(expires2) }));
      const refresh3 = uniqueSecret('refresh3');
      await http().post(`/api/v1/me/oauth-accounts/${account.id}/tokens`).set(ada.auth).send({ accessToken: uniqueSecret('access3'), refreshToken: refresh3, scope: 'openid' }).expect(200);
      expect(await app.get(OAuthTokenVault).tokensFor(account.id)).toEqual(expect.objectContaining({ refreshToken: refresh3, scope: 'openid', expiresAt: null }));

      const synced = await http().patch(`/api/v1/me/oauth-accounts/${account.id}/sync-state`).set(ada.auth).send({ syncState: { historyId: '12345', labels: ['INBOX'] } }).expect(200);
      expect(synced.body.syncState).toEqual({ historyId: '12345', labels: ['INBOX'] });
      await http().patch(`/api/v1/me/oauth-accounts/${account.id}/sync-state`).set(ada.auth).send({ syncState: { historyId: '12346' } }).expect(200);
      expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items[0].syncState).toEqual({ historyId: '12346' });
      expect((await eventsOf(`oauth-account-${account.id}`)).map((e) => e.event_type)).toEqual([
        'identity.oauth-account-linked',
        'identity.oauth-account-tokens-refreshed',
        'identity.oauth-account-tokens-refreshed',
        'identity.oauth-account-sync-state-changed',
        'identity.oauth-account-sync-state-changed',
      ]);
      // A re-link keeps what the sync job learnt.
      await http().post('/api/v1/me/oauth-accounts').set(ada.auth).send({ provider: 'google', providerAccountId: account.providerAccountId, accessToken: uniqueSecret('a4') }).expect(201);
      expect((await http().get('/api/v1/me/oauth-accounts').set(ada.auth).expect(200)).body.items[0].syncState).toEqual({ historyId: '12346' });
    });

    it("other users cannot see or touch my accounts: 404, like an unknown id", async () => {
      const ada = await signUp(app);
      const mallory = await signUp(app);
      const account = await linkOAuthAccount(app, ada);
      expect((await http().get('/api/v1/me/oauth-accounts').set(mallory.auth).expect(200)).body.items).toEqual([]);
      for (const id of [account.id, uuidv7(), 'not-a-uuid']) {
        problem(await http().post(`/api/v1/me/oauth-accounts/${id}/tokens`).set(mallory.auth).send({ accessToken: 'x' }), 404, 'IDENTITY.OAUTH_ACCOUNT_NOT_FOUND');
        problem(await http().patch(`/api/v1/me/oauth-accounts/${id}/sync-state`).set(mallory.auth).send({ syncState: {} }), 404, 'IDENTITY.OAUTH_ACCOUNT_NOT_FOUND');
        problem(await http().delete(`/api/v1/me/oauth-accounts/${id}`).set(mallory.auth), 404, 'IDENTITY.OAUTH_ACCOUNT_NOT_FOUND');
      }
      expect(await app.get(OAuthTokenVault).tokensFor(account.id)).toEqual(expect.objectContaining({ accessToken: account.accessToken }));
      expect((await eventsOf(`oauth-account-${account.id}`)).map((e) => e.event_type)).toEqual(['identity.oauth-account-linked']);
      await http().get('/api/v1/me/oauth-accounts').expect(401);
      await http().get('/api/v1/me/oauth-accounts').set(operator).expect(401);
    });

    it('refuses bad input with 400 (never echoing a token) and answers an Idempotency-Key retry with the first answer', async () => {
      const ada = await signUp(app);
      const secret = uniqueSecret('access');
      const cases: [Record<string, unknown>, string][] = [
        [{ provider: 'myspace', providerAccountId: 'x', accessToken: secret }, 'provider'],
        [{ provider: 'google', accessToken: secret }, 'providerAccountId'],
        [{ provider: 'google', providerAccountId: 'x' }, 'accessToken'],
        [{ provider: 'google', providerAccountId: 'x', accessToken: secret, expiresAt: 'tomorrow' }, 'expiresAt'],
        [{ provider: 'google', providerAccountId: 'x', accessToken: secret, userId: uuidv7() }, 'userId'],
      ];
      for (const [body, field] of cases) {
        const res = await http().post('/api/v1/me/oauth-accounts').set(ada.auth).send(body);
        problem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        expect(JSON.stringify(res.body)).not.toContain(secret);
      }
      const account = await linkOAuthAccount(app, ada);
      for (const body of [{}, { syncState: 'x' }, { syncState: [1] }, { syncState: { big: 'x'.repeat(70_000) } }]) {
        problem(await http().patch(`/api/v1/me/oauth-accounts/${account.id}/sync-state`).set(ada.auth).send(body), 400, 'VALIDATION_FAILED');
      }
      problem(await http().post(`/api/v1/me/oauth-accounts/${account.id}/tokens`).set(ada.auth).send({}), 400, 'VALIDATION_FAILED');

      const body = { provider: 'microsoft', providerAccountId: `sub-${uuidv7()}`, accessToken: uniqueSecret('access') };
      const first = await http().post('/api/v1/me/oauth-accounts').set(ada.auth).set('Idempotency-Key', `link-${uuidv7()}`).send(body).expect(201);
      const key = `link-${uuidv7()}`;
      const a = await http().post('/api/v1/me/oauth-accounts').set(ada.auth).set('Idempotency-Key', key).send(body).expect(201);
      const b = await http().post('/api/v1/me/oauth-accounts').set(ada.auth).set('Idempotency-Key', key).send(body).expect(201);
      expect(b.body).toEqual(a.body);
      expect(a.body.id).toBe(first.body.id);
      // Two links (the first and the keyed one), the retry appended nothing.
      expect((await eventsOf(`oauth-account-${first.body.id}`)).map((e) => e.event_type)).toEqual(['identity.oauth-account-linked', 'identity.oauth-account-linked']);
      problem(
        await http().post('/api/v1/me/oauth-accounts').set(ada.auth).set('Idempotency-Key', key).send({ ...body, accessToken: uniqueSecret('other') }),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
    });

    it('`secrets rotate` re-encrypts the token columns: they are registered with their AAD', async () => {
      const ada = await signUp(app);
      const account = await linkOAuthAccount(app, ada);
      const registered = app.get(EncryptedColumns).list().filter((c) => c.table === 'identity_oauth_accounts_view');
      expect(registered.map((c) => c.column).sort()).toEqual(['access_token_ciphertext', 'id_token_ciphertext', 'refresh_token_ciphertext']);
      // Rotate only these columns (the app keeps running with its single key for the others).
      const k2 = SecretBox.generateKey('k2');
      const ring = new SecretBox([k2, KEY]);
      const summary = await new SecretRotation(pool, ring, new EncryptedColumns().register(...registered)).rotate();
      expect(summary.unreadable).toBe(0);
      expect(summary.reencrypted).toBeGreaterThanOrEqual(3);
      expect(summary.keysStillInUse).toEqual(['k2']);
      const { rows } = await pool.query(`SELECT access_token_ciphertext AS a, refresh_token_ciphertext AS r, id_token_ciphertext AS i FROM identity_oauth_accounts_view WHERE id = $1`, [account.id]);
      expect(ring.decrypt(rows[0].a, oauthTokenAad(account.id, 'access'))).toBe(account.accessToken);
      expect(ring.decrypt(rows[0].r, oauthTokenAad(account.id, 'refresh'))).toBe(account.refreshToken);
      expect(ring.decrypt(rows[0].i, oauthTokenAad(account.id, 'id'))).toBe(account.idToken);
      expect(new Set(registered.map((c) => c.aad?.('x')))).toEqual(new Set(oauthTokenColumns.map((c) => c.aad?.('x'))));
    });
  });

  describe('app settings (/api/v1/admin/settings)', () => {
    let user: SignedUp;
    beforeAll(async () => {
      user = await signUp(app);
    });

    it('a superuser sets, reads, lists, changes and deletes a setting; the same value twice is one event', async () => {
      const key = `telegram.owner-${uuidv7().slice(-6)}`;
      problem(await http().get(`/api/v1/admin/settings/${key}`).set(operator), 404, 'IDENTITY.SETTING_NOT_FOUND');
      const set = await http().put(`/api/v1/admin/settings/${key}`).set(operator).send({ value: '123456789' }).expect(200);
      expect(set.body).toEqual({ key, value: '123456789', createdAt: expect.any(String), updatedAt: expect.any(String) });
      await http().get(`/api/v1/admin/settings/${key}`).set(operator).expect(200, set.body);
      await http().put(`/api/v1/admin/settings/${key}`).set(operator).send({ value: '123456789' }).expect(200);
      const changed = await http().put(`/api/v1/admin/settings/${key}`).set(operator).send({ value: '' }).expect(200);
      expect(changed.body).toEqual(expect.objectContaining({ key, value: '', createdAt: set.body.createdAt }));
      const list = await http().get('/api/v1/admin/settings').set(operator).expect(200);
      expect(list.body.items).toContainEqual(changed.body);
      expect(list.body.items.map((s: { key: string }) => s.key)).toEqual([...list.body.items.map((s: { key: string }) => s.key)].sort());

      await http().delete(`/api/v1/admin/settings/${key}`).set(operator).expect(204);
      problem(await http().get(`/api/v1/admin/settings/${key}`).set(operator), 404, 'IDENTITY.SETTING_NOT_FOUND');
      problem(await http().delete(`/api/v1/admin/settings/${key}`).set(operator), 404, 'IDENTITY.SETTING_NOT_FOUND');
      const events = await pool.query(`SELECT event_type, actor_id FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`app-setting-${key}`]);
      expect(events.rows).toEqual([
        { event_type: 'identity.app-setting-set', actor_id: 'operator' },
        { event_type: 'identity.app-setting-set', actor_id: 'operator' },
        { event_type: 'identity.app-setting-deleted', actor_id: 'operator' },
      ]);
      // Set again after a delete.
      await http().put(`/api/v1/admin/settings/${key}`).set(operator).send({ value: 'again' }).expect(200);
    });

    it('superusers only: 401 without credentials, 403 for a user; bad keys and values are 400 (unknown keys 404)', async () => {
      await http().get('/api/v1/admin/settings').expect(401);
      await http().put('/api/v1/admin/settings/x').send({ value: 'v' }).expect(401);
      problem(await http().get('/api/v1/admin/settings').set(user.auth), 403, 'FORBIDDEN');
      problem(await http().put('/api/v1/admin/settings/x').set(user.auth).send({ value: 'v' }), 403, 'FORBIDDEN');
      problem(await http().delete('/api/v1/admin/settings/x').set(user.auth), 403, 'FORBIDDEN');

      for (const key of ['Upper', '.dot', 'a%20b', 'a'.repeat(101), '%C3%A9']) {
        const res = await http().put(`/api/v1/admin/settings/${key}`).set(operator).send({ value: 'v' });
        problem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'key' })]);
        problem(await http().get(`/api/v1/admin/settings/${key}`).set(operator), 404, 'IDENTITY.SETTING_NOT_FOUND');
        problem(await http().delete(`/api/v1/admin/settings/${key}`).set(operator), 404, 'IDENTITY.SETTING_NOT_FOUND');
      }
      for (const body of [{}, { value: 42 }, { value: null }, { value: 'x'.repeat(10_001) }, { value: 'v', extra: 1 }]) {
        problem(await http().put('/api/v1/admin/settings/ok-key').set(operator).send(body), 400, 'VALIDATION_FAILED');
      }
    });
  });
});
