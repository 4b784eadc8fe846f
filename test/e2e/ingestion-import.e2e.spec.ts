import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { PG_POOL } from '@libs/database/database-backend';
import { createWorkspace, signUp, SignedUp, signUpVerified } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'ingestion-operator-token-0123456789abcd';

describe('ingestion: sources, imports (JSON, NDJSON, CSV), jobs, messages (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let owner: SignedUp;
  let ws: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN } });
    app = testApp.app;
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  });
  afterAll(() => testApp?.close());

  const problem = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };
  const msg = (externalId: string, extra: Record<string, unknown> = {}) => ({
    externalId,
    content: `Customers keep asking for ${externalId} export to CSV`,
    sentAt: '2026-03-01T10:00:00Z',
    author: { name: 'Dana Scully', email: 'dana@fbi.example', externalId: 'U1' },
    channel: 'feedback',
    ...extra,
  });

  describe('sources', () => {
    it('connects a source with credentials that are never returned; a provider account merely named binds nothing', async () => {
      const res = await http()
        .post(`/api/v1/workspaces/${ws}/sources`)
        .set(owner.auth)
        .send({ kind: 'chatwoot', name: 'Support', credentials: { baseUrl: 'https://chat.example.com', apiToken: 'cw-secret-token-123', accountId: 7 } })
        .expect(201);
      expect(res.body).toEqual(expect.objectContaining({ id: expect.any(String), kind: 'chatwoot', name: 'Support', hasCredentials: true, externalId: 'https://chat.example.com#7' }));
      expect(JSON.stringify(res.body)).not.toContain('cw-secret-token-123');
      const list = await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200);
      expect(JSON.stringify(list.body)).not.toContain('cw-secret-token-123');
      const pool = app.get<Pool>(PG_POOL);
      const clear = await pool.query(`SELECT count(*)::int AS n FROM events WHERE payload::text LIKE '%cw-secret-token-123%'`);
      expect(clear.rows[0].n).toBe(0);

      const other = await createWorkspace(app, owner);
      // Unproven (the credentials were never accepted by that Chatwoot), so nothing is bound: naming the account again is no conflict.
      expect(res.body.accountVerified).toBe(false);
      const dup = await http().post(`/api/v1/workspaces/${other}/sources`).set(owner.auth).send({ kind: 'chatwoot', name: 'Dup', credentials: { baseUrl: 'https://chat.example.com/', apiToken: 'x', accountId: '7' } });
      expect({ status: dup.status, accountVerified: dup.body.accountVerified }).toEqual({ status: 201, accountVerified: false });
      const bad = await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'gong', name: 'Calls', credentials: { accessKey: 'a', nope: 1 } });
      problem(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['credentials.nope', 'credentials.secretKey']);
      problem(await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'fax', name: 'x' }), 400, 'VALIDATION_FAILED');
      problem(await http().get(`/api/v1/workspaces/${other}/sources/${res.body.id}`).set(owner.auth), 404, 'INGESTION.SOURCE_NOT_FOUND');
    });
  });

  describe('imports', () => {
    it('imports the API.md JSON shape: 202 { jobId, accepted, duplicates, rejected }; re-importing stores nothing new', async () => {
      const body = { source: { kind: 'api', name: 'Backfill' }, messages: [msg('m-1'), msg('m-2', { threadId: 'm-1' }), { externalId: 'bad', content: '', sentAt: 'yesterday' }, msg('m-1')] };
      const first = await http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send(body).expect(202);
      expect(first.body).toEqual({ jobId: expect.any(String), accepted: 2, duplicates: 1, rejected: [{ index: 2, externalId: 'bad', errors: expect.arrayContaining([expect.objectContaining({ field: 'content' }), expect.objectContaining({ field: 'sentAt' })]) }], rejectedCount: 1 });
      const again = await http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send(body).expect(202);
      expect(again.body).toEqual(expect.objectContaining({ accepted: 0, duplicates: 3 }));
      const job = await http().get(`/api/v1/workspaces/${ws}/jobs/${first.body.jobId}`).set(owner.auth).expect(200);
      expect(job.body).toEqual(expect.objectContaining({ id: first.body.jobId, status: 'completed', counters: expect.objectContaining({ fetched: 4, stored: 2, skipped: 1, errors: 1, batches: 1 }) }));
      expect(job.body.errors).toEqual([expect.objectContaining({ index: 2 })]);
      const list = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ q: 'm-2' }).set(owner.auth).expect(200);
      expect(list.body.items).toEqual([expect.objectContaining({ externalId: 'm-2', threadId: 'm-1', isReply: true, channelName: 'feedback', author: { name: 'Dana Scully', email: 'dana@fbi.example', externalId: 'U1' } })]);
      problem(await http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send({ source: { kind: 'fax', name: 'x' }, messages: 'no' }), 400, 'VALIDATION_FAILED');
    });

    it('streams NDJSON: a file with 10% malformed lines stores the other 90% and reports every bad line by index', async () => {
      const lines: string[] = [];
      for (let i = 0; i < 200; i++) {
        if (i % 10 === 3) lines.push(i % 20 === 3 ? '{"externalId": "broken' : JSON.stringify({ externalId: `nd-${i}`, sentAt: 'not a date', content: 'x' }));
        else lines.push(JSON.stringify(msg(`nd-${i}`, { sentAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() })));
      }
      const res = await http()
        .post(`/api/v1/workspaces/${ws}/messages/import`)
        .query({ sourceKind: 'slack', sourceName: 'Export' })
        .set(owner.auth)
        .set('Content-Type', 'application/x-ndjson')
        .send(lines.join('\n') + '\n')
        .expect(202);
      expect(res.body.accepted).toBe(180);
      expect(res.body.rejectedCount).toBe(20);
      expect(res.body.rejected.map((r: { index: number }) => r.index)).toEqual(Array.from({ length: 20 }, (_, k) => k * 10 + 3));
      expect(res.body.rejected[0].errors[0].message).toMatch(/not valid JSON/);
      expect(res.body.rejected[1].errors[0].field).toBe('sentAt');
      // Paging through the source: every stored message exactly once, newest first.
      const source = (await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body.items.find((s: { name: string }) => s.name === 'Export');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: source.id, limit: 47, ...(cursor ? { cursor } : {}) }).set(owner.auth).expect(200);
        seen.push(...page.body.items.map((m: { externalId: string }) => m.externalId));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(180);
      expect(new Set(seen).size).toBe(180);
      expect(seen[0]).toBe('nd-199');
      const window = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: source.id, from: '2026-01-01T00:10:00Z', to: '2026-01-01T00:20:00Z', limit: 500 }).set(owner.auth).expect(200);
      expect(window.body.items.map((m: { externalId: string }) => m.externalId).sort()).toEqual(['nd-10', 'nd-11', 'nd-12', 'nd-14', 'nd-15', 'nd-16', 'nd-17', 'nd-18', 'nd-19']);
    });

    it('imports CSV with header mapping (aliases and an explicit mapping)', async () => {
      const csv = ['Message ID,Body,Date,From,Email', 'c-1,"Hello, we need SSO",2026-02-01T09:00:00Z,Fox Mulder,fox@fbi.example', 'c-2,Second one,2026-02-02,Walter,', ',missing id,2026-02-03,X,'].join('\n');
      const res = await http()
        .post(`/api/v1/workspaces/${ws}/messages/import`)
        .query({ sourceKind: 'email', sourceName: 'Inbox', mapping: JSON.stringify({ externalId: 'Message ID', content: 'Body' }) })
        .set(owner.auth)
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(202);
      expect(res.body).toEqual(expect.objectContaining({ accepted: 2, rejectedCount: 1, rejected: [{ index: 2, errors: [expect.objectContaining({ field: 'externalId' })] }] }));
      const found = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ q: 'SSO' }).set(owner.auth).expect(200);
      expect(found.body.items).toEqual([expect.objectContaining({ externalId: 'c-1', content: 'Hello, we need SSO', author: { name: 'Fox Mulder', email: 'fox@fbi.example', externalId: null } })]);
    });

    it('refuses a viewer (403), an unknown media type (415) and a source of another workspace (404)', async () => {
      const viewer = await signUpVerified(app);
      await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: viewer.email, role: 'viewer' }).expect(201);
      problem(await http().post(`/api/v1/workspaces/${ws}/messages/import`).set(viewer.auth).send({ source: { kind: 'api', name: 'x' }, messages: [] }), 403, 'FORBIDDEN');
      await http().get(`/api/v1/workspaces/${ws}/messages`).set(viewer.auth).expect(200);
      problem(await http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).set('Content-Type', 'text/plain').send('hello'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      problem(await http().post(`/api/v1/workspaces/${ws}/messages/import`).query({ sourceId: uuidv7() }).set(owner.auth).set('Content-Type', 'application/x-ndjson').send('{}'), 404, 'INGESTION.SOURCE_NOT_FOUND');
      problem(await http().get(`/api/v1/workspaces/${ws}/jobs/${uuidv7()}`).set(owner.auth), 404, 'INGESTION.JOB_NOT_FOUND');
      problem(await http().get(`/api/v1/workspaces/${ws}/messages`).query({ cursor: 'nope', limit: 0 }).set(owner.auth), 400, 'VALIDATION_FAILED');
    });
  });

  describe('personal data', () => {
    it("keeps authors' identities out of the log in clear, and forgets an erased author everywhere", async () => {
      const pool = app.get<Pool>(PG_POOL);
      const clear = await pool.query(`SELECT count(*)::int AS n FROM events WHERE payload::text LIKE '%dana@fbi.example%' OR payload::text LIKE '%Dana Scully%'`);
      expect(clear.rows[0].n).toBe(0);
      // An author is a data subject per source (the same person in two sources is two subjects until the CRM merges them).
      const rows = await pool.query(`SELECT DISTINCT author_subject_id FROM ingestion_messages_view WHERE author_email = 'dana@fbi.example'`);
      expect(rows.rows).toHaveLength(2);
      for (const { author_subject_id } of rows.rows) {
        await http().delete(`/api/v1/admin/subjects/${encodeURIComponent(author_subject_id)}`).set('Authorization', `Bearer ${TOKEN}`).expect(200);
      }
      const left = await pool.query(`SELECT count(*)::int AS n FROM ingestion_messages_view WHERE author_name = 'Dana Scully' OR author_email = 'dana@fbi.example'`);
      expect(left.rows[0].n).toBe(0);
      const list = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ q: 'm-1' }).set(owner.auth).expect(200);
      expect(list.body.items[0].author).toEqual({ name: '[erased]', email: null, externalId: null });
      // Rebuilt from the log, the read model forgets the same.
      const r = await http().post('/api/v1/admin/projections/ingestion.messages/rebuild').set('Authorization', `Bearer ${TOKEN}`).expect(202);
      for (let i = 0; i < 100; i++) {
        const rebuilds = await http().get('/api/v1/admin/projections/rebuilds').query({ projection: 'ingestion.messages' }).set('Authorization', `Bearer ${TOKEN}`).expect(200);
        if (rebuilds.body.items.find((x: { id: string; status: string }) => x.id === r.body.rebuildId)?.status === 'completed') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const after = await pool.query(`SELECT count(*)::int AS n FROM ingestion_messages_view WHERE author_name = 'Dana Scully' OR author_email = 'dana@fbi.example'`);
      expect(after.rows[0].n).toBe(0);
      const count = await pool.query(`SELECT count(*)::int AS n FROM ingestion_messages_view WHERE workspace_id = $1`, [ws]);
      expect(count.rows[0].n).toBe(2 + 180 + 2);
    });
  });
});
