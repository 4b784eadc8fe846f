import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { createWorkspace, signUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'idempotency-scope-operator-token-0123456789';

/**
 * Issue 11 item 9: an Idempotency-Key holds for one caller on one route, for
 * IDEMPOTENCY_KEY_TTL_HOURS, and the answers stored under it go with their owner's erasure.
 */
describe('Idempotency-Key scope, expiry and erasure (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  const http = () => request(app.getHttpServer());
  const operator = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN, IDEMPOTENCY_KEY_TTL_HOURS: '2' } });
    ({ app, pool } = testApp);
  });
  afterAll(() => testApp?.close());

  const keysOf = async (key: string) =>
    (await pool.query<{ scope: string; owner_id: string | null; ttl: number }>(`SELECT scope, owner_id, extract(epoch FROM expires_at - created_at)::float AS ttl FROM idempotency_keys WHERE idempotency_key = $1`, [key])).rows;

  it('two users sending the same key to PATCH /api/v1/me each get their own change applied (same body or not)', async () => {
    const ada = await signUp(app);
    const bob = await signUp(app);
    const key = `me-${uuidv7()}`;
    await http().patch('/api/v1/me').set(ada.auth).set('Idempotency-Key', key).send({ jobTitle: 'Keeper' }).expect(200);
    const b = await http().patch('/api/v1/me').set(bob.auth).set('Idempotency-Key', key).send({ jobTitle: 'Keeper' }).expect(200);
    expect(b.body.jobTitle).toBe('Keeper');
    expect((await http().get('/api/v1/me').set(bob.auth).expect(200)).body.jobTitle).toBe('Keeper');
    // Another body under the other user's key is not "a reused key" either.
    const other = `me-${uuidv7()}`;
    await http().patch('/api/v1/me').set(ada.auth).set('Idempotency-Key', other).send({ firstName: 'Ada' }).expect(200);
    await http().patch('/api/v1/me').set(bob.auth).set('Idempotency-Key', other).send({ firstName: 'Robert' }).expect(200);
    expect((await http().get('/api/v1/me').set(bob.auth).expect(200)).body.firstName).toBe('Robert');
    expect((await http().get('/api/v1/me').set(ada.auth).expect(200)).body.firstName).toBe('Ada');
    // Each user's retry still gets that user's first answer (and changes nothing).
    const retry = await http().patch('/api/v1/me').set(bob.auth).set('Idempotency-Key', other).send({ firstName: 'Robert' }).expect(200);
    expect(retry.body.firstName).toBe('Robert');
    await http().patch('/api/v1/me').set(bob.auth).set('Idempotency-Key', other).send({ firstName: 'Bobby' }).expect(422);
    // Stored per caller and route, owned by the caller, for the configured TTL (2 hours here).
    const rows = await keysOf(key);
    expect(rows.map((r) => r.scope).sort()).toEqual([`${ada.userId} PATCH /api/v1/me`, `${bob.userId} PATCH /api/v1/me`].sort());
    expect(rows.map((r) => r.owner_id).sort()).toEqual([ada.userId, bob.userId].sort());
    for (const r of rows) expect(r.ttl).toBeCloseTo(2 * 3600, 0);
  });

  it('one caller using the same key on two routes (and two callers on one route) gets two separate answers', async () => {
    const owner = await signUp(app);
    const ws = await createWorkspace(app, owner);
    // A second caller of the same workspace: its API key (a machine client).
    const apiKey = (await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'ci', role: 'member' }).expect(201)).body.key as string;
    const key = `ws-${uuidv7()}`;
    const topic = await http().post(`/api/v1/workspaces/${ws}/topics`).set(owner.auth).set('Idempotency-Key', key).send({ name: `Topic ${key}` }).expect(201);
    const atom = await http().post(`/api/v1/workspaces/${ws}/atoms`).set(owner.auth).set('Idempotency-Key', key).send({ type: 'problem', title: 'Slow', content: 'Slow' }).expect(201);
    expect(atom.body.id).not.toBe(topic.body.id);
    // The same request body from another caller under the same key is that caller's own atom.
    const theirs = await http().post(`/api/v1/workspaces/${ws}/atoms`).set('X-API-Key', apiKey).set('Idempotency-Key', key).send({ type: 'problem', title: 'Slow', content: 'Slow' }).expect(201);
    expect(theirs.body.id).not.toBe(atom.body.id);
    const atoms = await http().get(`/api/v1/workspaces/${ws}/atoms`).set(owner.auth).expect(200);
    expect(atoms.body.items.map((a: { id: string }) => a.id).sort()).toEqual([atom.body.id, theirs.body.id].sort());
    // And the owner's retry is still the owner's first atom.
    const retry = await http().post(`/api/v1/workspaces/${ws}/atoms`).set(owner.auth).set('Idempotency-Key', key).send({ type: 'problem', title: 'Slow', content: 'Slow' }).expect(201);
    expect(retry.body.id).toBe(atom.body.id);
  });

  it('accepts an expired key as new (and the hourly purge deletes expired keys)', async () => {
    const ada = await signUp(app);
    const key = `exp-${uuidv7()}`;
    await http().patch('/api/v1/me').set(ada.auth).set('Idempotency-Key', key).send({ jobTitle: 'First' }).expect(200);
    await http().patch('/api/v1/me').set(ada.auth).set('Idempotency-Key', key).send({ jobTitle: 'Second' }).expect(422);
    // The clock moves past the key's expiry.
    await pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`, [key]);
    const again = await http().patch('/api/v1/me').set(ada.auth).set('Idempotency-Key', key).send({ jobTitle: 'Second' }).expect(200);
    expect(again.body.jobTitle).toBe('Second');
    expect(await keysOf(key)).toEqual([expect.objectContaining({ owner_id: ada.userId })]);

    await pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`, [key]);
    // The purge is a registered scheduled job (RUN_JOBS is off here: what its run does is called directly).
    const jobs = await http().get('/api/v1/admin/scheduled-jobs').set(operator).expect(200);
    expect(jobs.body.items.map((j: { name: string }) => j.name)).toContain('idempotency-keys.purge-expired');
    expect(await app.get(PostgresEventStore).purgeExpiredIdempotencyKeys()).toBeGreaterThanOrEqual(1);
    expect(await keysOf(key)).toEqual([]);
  });

  it("deletes a user's stored answers when the user is erased", async () => {
    const carol = await signUp(app);
    const key = `erase-${uuidv7()}`;
    await http().patch('/api/v1/me').set(carol.auth).set('Idempotency-Key', key).send({ jobTitle: 'Carol the Keeper', phone: '+33612345678' }).expect(200);
    const stored = await pool.query(`SELECT result::text AS result FROM idempotency_keys WHERE idempotency_key = $1`, [key]);
    expect(stored.rows).toHaveLength(1);
    await http().delete(`/api/v1/admin/subjects/${carol.userId}`).set(operator).expect(200);
    expect(await keysOf(key)).toEqual([]);
  });
});
