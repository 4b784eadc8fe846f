import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { PG_POOL } from '@libs/database/database-backend';
import { ANY } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { eventually } from '@test/support/eventually';
import { OrderPaymentSagaTestModule } from '@test/support/fixtures/order-payment.saga';
import { createTestApp, createTestAppDatabase, TestAppDatabase } from '@test/support/test-app';

/**
 * The whole app, stopped and started again: a saga's deadline scheduled by the first run fires
 * in the second, and the saga's state and commands survived. On the embedded backend the app
 * keeps its data in a directory (as `npm start` does), so the restart is a real one.
 */
describe('sagas across an app restart (e2e)', () => {
  let database: TestAppDatabase | undefined;
  const ws = uuidv7();
  const TOKEN = 'saga-admin-token-0123456789abcdef';

  beforeAll(async () => {
    database = await createTestAppDatabase({ onDisk: true });
  });
  afterAll(() => database?.close());

  // The test closes each app itself (the restart); the database stays for the next one.
  const start = async () => (await createTestApp({ database, env: { ADMIN_TOKEN: TOKEN, RUN_JOBS: 'true' }, extraModules: [OrderPaymentSagaTestModule] })).app;
  const typesOf = async (app: NestExpressApplication, streamId: string) =>
    (await app.get(PostgresEventStore).readStream(streamId)).events.map((e) => e.type);

  it('fires a deadline after a restart, exactly once, and never repeats the first command', async () => {
    const first = await start();
    const timeoutMs = 3000;
    await first.get(PostgresEventStore).append('order-r1', [{ type: 'test.order-placed', data: { orderId: 'r1', amount: 10, timeoutMs } }], {
      streamType: 'order',
      expectedVersion: ANY,
      workspaceId: ws,
    });
    await eventually(async () => expect(await typesOf(first, 'payment-r1')).toEqual(['test.payment-requested']), 10_000);
    const pending = await first.get<Pool>(PG_POOL).query(`SELECT status FROM saga_deadlines WHERE instance_id = 'r1'`);
    expect(pending.rows).toEqual([{ status: 'pending' }]);
    await first.close(); // before the deadline is due

    const second = await start();
    try {
      await eventually(async () => expect(await typesOf(second, 'order-r1')).toEqual(['test.order-placed', 'test.order-cancelled']), 15_000, 100);
      const pool = second.get<Pool>(PG_POOL);
      const saga = await pool.query(`SELECT status FROM saga_instances WHERE instance_id = 'r1'`);
      expect(saga.rows).toEqual([{ status: 'completed' }]);
      const commands = await pool.query(`SELECT command_type, status FROM saga_commands WHERE instance_id = 'r1' ORDER BY created_at`);
      expect(commands.rows).toEqual([
        { command_type: 'test.request-payment', status: 'dispatched' },
        { command_type: 'test.cancel-order', status: 'dispatched' },
      ]);
      expect(await typesOf(second, 'payment-r1')).toEqual(['test.payment-requested']);

      // What an operator sees of it.
      const admin = (url: string) => request(second.getHttpServer()).get(url).set('Authorization', `Bearer ${TOKEN}`);
      const list = await admin('/api/v1/admin/sagas').expect(200);
      // The app's own sagas (analysis runs) are listed beside it.
      expect(list.body.items.filter((i: { name: string }) => i.name.startsWith('test.'))).toEqual([
        expect.objectContaining({
          name: 'test.order-payment',
          instances: { active: 0, completed: 1 },
          deadlines: { pending: 0, failed: 0, nextDueAt: null },
          commands: { pending: 0, dispatched: 2, rejected: 0, failed: 0 },
          parkedEvents: 0,
        }),
      ]);
      const page = await admin('/api/v1/admin/sagas/test.order-payment/instances?status=completed&limit=1').expect(200);
      expect(page.body.items.map((i: { instanceId: string }) => i.instanceId)).toEqual(['r1']);
      const one = await admin('/api/v1/admin/sagas/test.order-payment/instances/r1').expect(200);
      expect(one.body.deadlines).toEqual([expect.objectContaining({ name: 'payment-timeout', status: 'fired' })]);
      expect(one.body.commands.map((c: { type: string }) => c.type)).toEqual(['test.request-payment', 'test.cancel-order']);
      const missing = await admin('/api/v1/admin/sagas/nope/instances').expect(404);
      expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(missing.body.code).toBe('EVENTSOURCING.SAGA_NOT_FOUND');
      await admin('/api/v1/admin/sagas/test.order-payment/instances/zzz').expect(404);
      const bad = await admin('/api/v1/admin/sagas/test.order-payment/instances?limit=0&cursor=@@').expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      await admin('/api/v1/admin/sagas/test.order-payment/instances?cursor=bm9wZQ').expect(400);
      await request(second.getHttpServer()).get('/api/v1/admin/sagas').expect(401);
    } finally {
      await second.close();
    }
  });
});
