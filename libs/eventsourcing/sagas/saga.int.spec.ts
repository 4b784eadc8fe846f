import { v7 as uuidv7 } from 'uuid';
import { ANY } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { orderPaymentSaga, registerOrderPaymentRoutes, sagaFaults } from '@test/support/fixtures/order-payment.saga';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { ConsumerRegistry } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { ParkedEventAdmin } from '@libs/eventsourcing/subscriptions/parked-event-admin';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { defineSaga, sagaSubscriptionName } from './saga';
import { SagaCommandRoutes } from './saga-command-routes';
import { SagaConsumer } from './saga-consumer';

const SUB = sagaSubscriptionName(orderPaymentSaga.name);

describe('sagas: durable state, outbox with deterministic command ids, deadlines (real PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let checkpoints: SubscriptionCheckpoints;
  let parked: ParkedEvents;
  let routes: SagaCommandRoutes;
  const ws = uuidv7();
  let now = new Date();

  const consumer = (holder = 'test') =>
    new SagaConsumer(orderPaymentSaga, store, db.pool, checkpoints, parked, routes, {
      batchSize: 100,
      maxAttempts: 2,
      backoffMs: 5,
      commandAttempts: 3,
      holder,
      clock: () => now,
    });

  const placeOrder = (orderId: string, amount: number, timeoutMs?: number) =>
    store.append(`order-${orderId}`, [{ type: 'test.order-placed', data: { orderId, amount, timeoutMs } }], {
      streamType: 'order',
      expectedVersion: ANY,
      workspaceId: ws,
      correlationId: `req-${orderId}`,
    });

  const drain = async (c: SagaConsumer) => {
    for (let i = 0; i < 20; i++) if ((await c.processNext()).caughtUp) return;
    throw new Error('saga never caught up');
  };
  const streamEvents = async (streamId: string) => (await store.readStream(streamId)).events;
  const commandsOf = async (orderId: string) =>
    (await db.pool.query(`SELECT * FROM saga_commands WHERE saga = $1 AND instance_id = $2 ORDER BY created_at, command_type`, [orderPaymentSaga.name, orderId])).rows;
  const instance = async (orderId: string) =>
    (await db.pool.query(`SELECT * FROM saga_instances WHERE saga = $1 AND instance_id = $2`, [orderPaymentSaga.name, orderId])).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase(4);
    store = new PostgresEventStore(db.pool);
    checkpoints = new SubscriptionCheckpoints(db.pool);
    parked = new ParkedEvents(db.pool);
    routes = new SagaCommandRoutes();
    registerOrderPaymentRoutes(routes, new EventSourcedCommandHandler(store), store);
    await checkpoints.ensure(SUB, 'saga');
  });
  afterAll(async () => db?.close());

  it('starts an instance, writes its state and deadline, and sends its command once with an id derived from the event', async () => {
    await placeOrder('o1', 100);
    await drain(consumer());
    const row = await instance('o1');
    expect(row).toMatchObject({ status: 'active', workspace_id: ws, state: { orderId: 'o1', amount: 100, status: 'awaiting-payment' } });
    const commands = await commandsOf('o1');
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ command_type: 'test.request-payment', status: 'dispatched', correlation_id: 'req-o1' });
    const payment = await streamEvents('payment-o1');
    expect(payment.map((e) => e.type)).toEqual(['test.payment-requested']);
    // The command id is the causation id of what it appended, and the correlation is carried on.
    expect(payment[0].causationId).toBe(commands[0].command_id);
    expect(payment[0].correlationId).toBe('req-o1');
    expect(payment[0].actorId).toBe(`saga:${orderPaymentSaga.name}`);
    const deadlines = await db.pool.query(`SELECT name, status FROM saga_deadlines WHERE instance_id = 'o1'`);
    expect(deadlines.rows).toEqual([{ name: 'payment-timeout', status: 'pending' }]);
  });

  it('handles a redelivered event without a second command (checkpoint reset to the start of the log)', async () => {
    const before = await commandsOf('o1');
    await db.pool.query(`UPDATE subscription_checkpoints SET last_tx = '0', last_pos = 0 WHERE name = $1`, [SUB]);
    await drain(consumer());
    expect(await commandsOf('o1')).toEqual(before);
    expect(await streamEvents('payment-o1')).toHaveLength(1);
    expect((await instance('o1')).version).toBe(1);
  });

  it('re-dispatching a command after a crash between sending and bookkeeping appends nothing new (idempotency by command id)', async () => {
    await db.pool.query(`UPDATE saga_commands SET status = 'pending' WHERE instance_id = 'o1'`);
    await drain(consumer());
    const [cmd] = await commandsOf('o1');
    expect(cmd.status).toBe('dispatched');
    expect(await streamEvents('payment-o1')).toHaveLength(1);
  });

  it('fires a deadline once it is due, in a consumer that did not schedule it (a restart), and sends its command', async () => {
    await placeOrder('o2', 50, 60_000);
    await drain(consumer('process-1'));
    expect(await streamEvents('order-o2')).toHaveLength(1);
    // A new consumer object (as after a restart) over the same database, an hour later.
    now = new Date(Date.now() + 3_600_000);
    await drain(consumer('process-2'));
    expect((await streamEvents('order-o2')).map((e) => e.type)).toEqual(['test.order-placed', 'test.order-cancelled']);
    expect(await instance('o2')).toMatchObject({ status: 'completed', state: null });
    const deadlines = await db.pool.query(`SELECT status, fired_at FROM saga_deadlines WHERE instance_id = 'o2'`);
    expect(deadlines.rows).toHaveLength(1);
    expect(deadlines.rows[0].status).toBe('fired');
    // Processing again does not fire it twice.
    await drain(consumer('process-2'));
    expect(await streamEvents('order-o2')).toHaveLength(2);
    now = new Date();
  });

  it('completing an instance cancels its pending deadlines; later events of it are ignored', async () => {
    await placeOrder('o3', 20, 60_000);
    await store.append('payment-in-o3', [{ type: 'test.payment-received', data: { orderId: 'o3' } }], { streamType: 'payment', expectedVersion: ANY, workspaceId: ws });
    await drain(consumer());
    expect(await instance('o3')).toMatchObject({ status: 'completed' });
    const deadlines = await db.pool.query(`SELECT status FROM saga_deadlines WHERE instance_id = 'o3'`);
    expect(deadlines.rows).toEqual([{ status: 'cancelled' }]);
    now = new Date(Date.now() + 3_600_000);
    await drain(consumer());
    now = new Date();
    expect(await streamEvents('order-o3')).toHaveLength(1);
  });

  it('a command a business rule refuses is marked rejected with the reason, and not retried', async () => {
    await placeOrder('o4', 900);
    await drain(consumer());
    const [cmd] = await commandsOf('o4');
    expect(cmd).toMatchObject({ status: 'rejected', attempts: 1 });
    expect(cmd.last_error).toMatch(/above 500/);
    expect(await streamEvents('payment-o4')).toHaveLength(0);
  });

  it('a command with no route fails visibly instead of vanishing', async () => {
    const r = new SagaCommandRoutes();
    const c = new SagaConsumer(orderPaymentSaga, store, db.pool, checkpoints, parked, r, {
      batchSize: 100, maxAttempts: 2, backoffMs: 5, commandAttempts: 3, holder: 'x', clock: () => now,
    });
    await placeOrder('o5', 10);
    await drain(c);
    const [cmd] = await commandsOf('o5');
    expect(cmd.status).toBe('failed');
    expect(cmd.last_error).toMatch(/No route/);
  });

  it('parks a poison event after the retries and goes on; the admin retry replays it once the handler is fixed', async () => {
    await placeOrder('poison', 5000);
    await placeOrder('o6', 30);
    await drain(consumer());
    expect(await instance('o6')).toMatchObject({ status: 'active' });
    const open = await parked.list({ subscription: SUB, status: 'parked' });
    expect(open.map((p) => [p.streamId, p.reason, p.attempts])).toEqual([['order-poison', 'failed', 2]]);
    expect(await instance('poison')).toBeUndefined();

    const consumers = new ConsumerRegistry();
    const replayer = consumer('replay');
    consumers.register({ name: SUB, kind: 'saga', create: () => replayer, replay: async (events, tx) => { for (const e of events) await replayer.applyEvent(tx, e, true); } });
    const admin = new ParkedEventAdmin(db.pool, store, parked, new ProjectionRegistry(), consumers);
    await expect(admin.retry(open[0].id)).rejects.toThrow(/cannot price/);
    sagaFaults.throwAbove = 10_000; // the fix
    try {
      await expect(admin.retry(open[0].id)).resolves.toEqual({ replayed: 1 });
    } finally {
      sagaFaults.throwAbove = 1000;
    }
    expect(await instance('poison')).toMatchObject({ status: 'active', state: { amount: 5000 } });
    await drain(consumer());
    const [cmd] = await commandsOf('poison');
    expect(cmd).toMatchObject({ command_type: 'test.request-payment', status: 'rejected' });
    expect((await parked.list({ subscription: SUB, status: 'parked' })).length).toBe(0);
  });

  it('dispatches one command at a time unless the saga declares lanes (commandConcurrency): then that many at once, never more, each once', async () => {
    const measure = async (name: string, commandConcurrency?: number) => {
      const saga = defineSaga<{ n: number }>({
        name,
        commandConcurrency,
        on: { [`${name}.asked`]: { instanceOf: (e) => String((e.data as { n: number }).n), react: (_s, e) => ({ state: { n: (e.data as { n: number }).n }, commands: [{ type: `${name}.work`, data: e.data as Record<string, unknown> }] }) } },
      });
      let inFlight = 0;
      let most = 0;
      const done: number[] = [];
      routes.register(`${name}.work`, async (data) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 60));
        inFlight--;
        done.push(Number(data.n));
        return null;
      });
      await checkpoints.ensure(sagaSubscriptionName(name), 'saga');
      for (let n = 0; n < 5; n++) await store.append(`${name}-${n}`, [{ type: `${name}.asked`, data: { n } }], { streamType: 'lane', expectedVersion: ANY, workspaceId: ws });
      const c = new SagaConsumer(saga, store, db.pool, checkpoints, parked, routes, { batchSize: 100, maxAttempts: 2, backoffMs: 5, commandAttempts: 3, holder: name, clock: () => now });
      await drain(c);
      return { most, done: done.sort() };
    };
    expect(await measure('test.one-lane')).toEqual({ most: 1, done: [0, 1, 2, 3, 4] });
    expect(await measure('test.two-lanes', 2)).toEqual({ most: 2, done: [0, 1, 2, 3, 4] });
    expect(() => defineSaga({ name: 'test.no-lanes', commandConcurrency: 0, on: {} })).toThrow(/positive integer/);
  });
});
