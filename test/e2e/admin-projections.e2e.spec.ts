import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { ANY } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { eventually } from '@test/support/eventually';
import { StreamCountsProjection } from '@test/support/fixtures/stream-counts.projection';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'admin-token-for-tests-0123456789abcdef';

describe('admin API: projections, parked events, partitions (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let store: PostgresEventStore;
  const counts = new StreamCountsProjection('test.counts-e2e');

  beforeAll(async () => {
    testApp = await createTestApp({
      env: { ADMIN_TOKEN: TOKEN, RUN_JOBS: 'true' },
      processEnv: { ADMIN_TOKEN: TOKEN },
      // A test projection beside the audit one, registered before the runner starts.
      beforeInit: (created) => created.get(ProjectionRegistry).register(counts),
    });
    app = testApp.app;
    store = app.get(PostgresEventStore);
    await StreamCountsProjection.createTable(testApp.pool);
  });
  afterAll(() => testApp?.close());

  const admin = () => ({
    get: (url: string) => request(app.getHttpServer()).get(url).set('Authorization', `Bearer ${TOKEN}`),
    post: (url: string) => request(app.getHttpServer()).post(url).set('Authorization', `Bearer ${TOKEN}`),
  });

  it('refuses the admin API without the superuser credential', async () => {
    await request(app.getHttpServer()).get('/api/v1/admin/projections').expect(401);
    await request(app.getHttpServer()).get('/api/v1/admin/projections').set('Authorization', 'Bearer nope').expect(401);
  });

  it('keeps the audit stream-activity read model up to date after appends (woken by the append signal)', async () => {
    const ws = uuidv7();
    await store.append('order-77', [{ type: 'test.order-placed', data: {} }, { type: 'test.order-paid', data: {} }], {
      streamType: 'order',
      expectedVersion: ANY,
      workspaceId: ws,
      actorId: 'user-1',
    });
    const pool = app.get<Pool>(PG_POOL);
    const row = await eventually(async () => {
      const r = await pool.query(`SELECT * FROM audit_stream_activity_view WHERE stream_id = 'order-77'`);
      return r.rows[0] ?? false;
    }, 10_000);
    expect(row).toMatchObject({ stream_type: 'order', workspace_id: ws, last_event_type: 'test.order-paid', actor_ids: ['user-1'] });
    expect(Number(row.version)).toBe(2);
  });

  it('lists projections with status, checkpoint, lag, lastError and updatedAt', async () => {
    const res = await admin().get('/api/v1/admin/projections').expect(200);
    const names = res.body.items.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['audit.stream-activity', 'test.counts-e2e']));
    const audit = res.body.items.find((p: any) => p.name === 'audit.stream-activity');
    expect(audit).toMatchObject({ status: 'running', lastError: null });
    expect(audit.checkpoint).toHaveProperty('transactionId');
    expect(audit.lag).toEqual({ events: expect.any(Number), seconds: expect.any(Number) });
    expect(audit.updatedAt).toBeTruthy();
  });

  it('parks a poison event, lists it, retries it once fixed; skip works on another', async () => {
    await store.append('poison-1', [{ type: 'test.thing-counted', data: { amount: 1, poison: true } }], { streamType: 'thing', expectedVersion: ANY });
    await store.append('fine-1', [{ type: 'test.thing-counted', data: { amount: 2 } }], { streamType: 'thing', expectedVersion: ANY });
    const parked = await eventually(async () => {
      const r = await admin().get('/api/v1/admin/parked-events?subscription=test.counts-e2e').expect(200);
      return r.body.items.length === 1 ? r.body.items[0] : false;
    }, 15_000, 100);
    expect(parked).toMatchObject({ streamId: 'poison-1', reason: 'failed', status: 'parked' });
    // The consumer went on with other streams.
    const pool = app.get<Pool>(PG_POOL);
    await eventually(async () => (await pool.query(`SELECT 1 FROM test_stream_counts_view WHERE id = 'fine-1'`)).rows.length === 1, 10_000);

    const failed = await admin().post(`/api/v1/admin/parked-events/${parked.id}/retry`).expect(422);
    expect(failed.body.code).toBe('EVENTSOURCING.PARKED_RETRY_FAILED');
    counts.poisonFixed = true;
    await admin().post(`/api/v1/admin/parked-events/${parked.id}/retry`).expect(200, { replayed: 1 });
    expect((await pool.query(`SELECT count::int FROM test_stream_counts_view WHERE id = 'poison-1'`)).rows[0].count).toBe(1);
    await admin().post(`/api/v1/admin/parked-events/${parked.id}/skip`).expect(409);
    await admin().post('/api/v1/admin/parked-events/999999/retry').expect(404);
    await admin().post('/api/v1/admin/parked-events/abc/retry').expect(400);
  });

  it('rebuilds a projection on request (202) and shows its progress until completed', async () => {
    const res = await admin().post('/api/v1/admin/projections/audit.stream-activity/rebuild').send({}).expect(202);
    expect(res.body.rebuildId).toMatch(/^[0-9a-f-]{36}$/);
    const done = await eventually(async () => {
      const r = await admin().get('/api/v1/admin/projections/rebuilds?projection=audit.stream-activity').expect(200);
      const rec = r.body.items.find((x: any) => x.id === res.body.rebuildId);
      return rec?.status === 'completed' ? rec : false;
    }, 20_000, 100);
    expect(done.eventsDone).toBe(done.eventsTotal);
    const pool = app.get<Pool>(PG_POOL);
    expect((await pool.query(`SELECT version FROM audit_stream_activity_view WHERE stream_id = 'order-77'`)).rows[0].version).toBe('2');
    await admin().post('/api/v1/admin/projections/no-such/rebuild').send({}).expect(404);
  });

  it('lists partitions with ranges and row counts, ensures ahead and refuses to detach the current month', async () => {
    const res = await admin().get('/api/v1/admin/partitions').expect(200);
    expect(res.body.items.some((p: any) => p.isDefault)).toBe(true);
    expect(res.body.items[0]).toEqual(expect.objectContaining({ name: expect.any(String), rows: expect.any(Number) }));
    await admin().post('/api/v1/admin/partitions/ensure').send({ monthsAhead: 2 }).expect(200);
    const now = new Date();
    const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const refused = await admin().post(`/api/v1/admin/partitions/${month}/detach`).expect(422);
    expect(refused.body.code).toBe('EVENT_STORE.PARTITION_REFUSED');
    await admin().post('/api/v1/admin/partitions/ensure').send({ monthsAhead: 'x' }).expect(400);
  });
});
