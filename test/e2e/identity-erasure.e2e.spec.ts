import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { eventually } from '@test/support/eventually';
import { createWorkspace, lastMail, linkOAuthAccount, PASSWORD, pinIn, signUp } from '@test/support/identity-client';
import { OAuthTokenVault } from '@modules/identity/infrastructure/oauth-token-vault';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'erasure-operator-token-0123456789abcdef';

/**
 * The right to erasure by crypto-shredding, end to end: after DELETE /admin/subjects/:userId no
 * read model (also after a rebuild), no API answer and no outbox holds the user's email, names
 * or phone, the log still replays, and the erasure is itself an audited event.
 */
describe('identity: erasure of a user (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  const http = () => request(app.getHttpServer());
  const operator = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN } });
    ({ app, pool } = testApp);
  });
  afterAll(() => testApp?.close());

  /** Every row of every identity read model, the outbox and the audit view, as text. */
  async function everyReadModel(): Promise<string> {
    const tables = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND (table_name LIKE 'identity\\_%' OR table_name IN ('mail_outbox', 'audit_stream_activity_view'))`,
    );
    expect(tables.rows.length).toBeGreaterThan(8);
    let all = '';
    for (const { table_name } of tables.rows) {
      const rows = await pool.query(`SELECT row_to_json(t)::text AS j FROM "${table_name}" t`);
      all += rows.rows.map((r) => r.j).join('\n');
    }
    return all;
  }

  it('leaves no email, name or phone of the erased user anywhere, also after a rebuild; the log still replays', async () => {
    const tag = uuidv7().slice(-8);
    const email = `carolina.${tag}@example.com`;
    const firstName = `Carolina${tag}`;
    const lastName = `Herschel${tag}`;
    const phone = `+3361${tag.replace(/\D/g, '1').slice(0, 7).padEnd(7, '7')}`;
    const owner = await signUp(app);
    const ws = await createWorkspace(app, owner);
    // Invited before she has an account: the invitation holds her email under its own subject.
    await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email, role: 'member' }).expect(201);
    const carol = await signUp(app, { email, firstName, lastName });
    await http().post('/api/v1/auth/verify-email').send({ email, pin: pinIn((await lastMail(app, email, 'signup-pin')).body) }).expect(200);
    await http().patch('/api/v1/me').set(carol.auth).send({ phone }).expect(200);
    const oauth = await linkOAuthAccount(app, carol);
    expect((await app.get(OAuthTokenVault).tokensFor(oauth.id))?.accessToken).toBe(oauth.accessToken);
    await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: `x-${tag}@example.com`, role: 'viewer' }).expect(201);
    const other = await createWorkspace(app, owner);
    await http().post(`/api/v1/workspaces/${other}/members`).set(owner.auth).send({ email, role: 'viewer' }).expect(201);

    // Before: the read models know her; the log holds none of it in clear.
    const before = await everyReadModel();
    expect(before).toContain(email);
    const clear = await pool.query(`SELECT count(*)::int AS n FROM events WHERE payload::text LIKE $1 OR payload::text LIKE $2 OR payload::text LIKE $3`, [`%${email}%`, `%${firstName}%`, `%${phone}%`]);
    expect(clear.rows[0].n).toBe(0);

    const erased = await http().delete(`/api/v1/admin/subjects/${carol.userId}`).set(operator).expect(200);
    expect(erased.body).toEqual(expect.objectContaining({ subjectId: carol.userId, alreadyErased: false }));

    const secrets = [email, firstName, lastName, phone];
    const after = await everyReadModel();
    for (const s of secrets) expect(after).not.toContain(s);
    expect(after).toContain('[erased]');

    // API answers.
    const members = await http().get(`/api/v1/workspaces/${other}/members`).set(owner.auth).expect(200);
    const her = members.body.items.find((m: { userId: string }) => m.userId === carol.userId);
    expect(her).toEqual(expect.objectContaining({ email: '[erased]', firstName: '[erased]', lastName: '[erased]' }));
    const invitations = await http().get(`/api/v1/workspaces/${ws}/invitations`).set(owner.auth).expect(200);
    expect(JSON.stringify(invitations.body)).not.toContain(email);
    const history = await http().get(`/api/v1/admin/audit/streams/user-${carol.userId}`).set(operator).expect(200);
    const text = JSON.stringify(history.body);
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).toContain('[erased]');
    const users = await http().get('/api/v1/admin/users').query({ limit: 500 }).set(operator).expect(200);
    for (const s of secrets) expect(JSON.stringify(users.body)).not.toContain(s);

    // Her OAuth tokens can never be opened again.
    await expect(app.get(OAuthTokenVault).tokensFor(oauth.id)).rejects.toThrow();

    // She cannot sign in any more; her access token stops at once.
    await http().post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(401);
    await http().get('/api/v1/me').set(carol.auth).expect(401);

    // The erasure is in the log, with its actor.
    const erasure = await pool.query(`SELECT actor_id, event_type FROM events WHERE stream_id = $1`, [`data-subject-${carol.userId}`]);
    expect(erasure.rows).toEqual([expect.objectContaining({ event_type: 'privacy.subject-erased', actor_id: 'operator' })]);

    // Rebuilding every identity read model from the log gives the same forgetting.
    for (const name of ['identity.users', 'identity.invitations', 'identity.workspace-members', 'identity.oauth-accounts']) {
      const r = await http().post(`/api/v1/admin/projections/${name}/rebuild`).set(operator).expect(202);
      await eventually(async () => {
        const list = await http().get('/api/v1/admin/projections/rebuilds').query({ projection: name }).set(operator).expect(200);
        expect(list.body.items.find((x: { id: string }) => x.id === r.body.rebuildId)?.status).toBe('completed');
      }, 20_000, 100);
    }
    const rebuilt = await everyReadModel();
    for (const s of secrets) expect(rebuilt).not.toContain(s);
    await expect(app.get(OAuthTokenVault).tokensFor(oauth.id)).rejects.toThrow();
    const row = await pool.query(`SELECT email, first_name, is_active, erased FROM identity_users_view WHERE id = $1`, [carol.userId]);
    expect(row.rows[0]).toEqual({ email: '[erased]', first_name: '[erased]', is_active: false, erased: true });
    // The owner is untouched, and the whole log still replays.
    const ownerRow = await pool.query(`SELECT email FROM identity_users_view WHERE id = $1`, [owner.userId]);
    expect(ownerRow.rows[0].email).toBe(owner.email);
    const store = app.get(PostgresEventStore);
    let seen = 0;
    let page = await store.readAll({ limit: 1000 });
    while (page.events.length) {
      seen += page.events.length;
      page = await store.readAll({ after: page.checkpoint, limit: 1000 });
    }
    const total = await pool.query(`SELECT count(*)::int AS n FROM events`);
    expect(seen).toBe(total.rows[0].n);
  });
});
