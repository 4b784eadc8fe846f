import { ANY } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { StreamCountsProjection } from '@test/support/fixtures/stream-counts.projection';
import { ProjectionRebuilder } from '@libs/eventsourcing/projections/projection-rebuilder';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { ConsumerRegistry } from './durable-consumer';
import { ParkedEventAdmin } from './parked-event-admin';
import { ParkedEvents } from './parked-events';
import { ProjectionConsumer } from './projection-consumer';
import { CheckpointMovedError, SubscriptionCheckpoints } from './subscription-checkpoints';

describe('ProjectionConsumer (durable subscription of a row projection)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let checkpoints: SubscriptionCheckpoints;
  let parked: ParkedEvents;

  beforeAll(async () => {
    db = await createTestDatabase(8);
    store = new PostgresEventStore(db.pool, { namedStatements: db.backend === 'pg' });
    checkpoints = new SubscriptionCheckpoints(db.pool);
    parked = new ParkedEvents(db.pool);
    await StreamCountsProjection.createTable(db.pool);
  });
  afterAll(async () => db?.close());

  const consumerFor = (projection: StreamCountsProjection, holder = 'proc-a', batchSize = 50) =>
    new ProjectionConsumer(projection, store, db.pool, checkpoints, parked, { batchSize, maxAttempts: 3, backoffMs: 1, holder });
  const count = (stream: string, n: number, extra: Record<string, unknown> = {}) =>
    store.append(stream, Array.from({ length: n }, (_, i) => ({ type: 'test.thing-counted', data: { amount: i + 1, ...extra } })), {
      streamType: 'thing',
      expectedVersion: ANY,
    });
  const drain = async (c: ProjectionConsumer) => {
    for (let i = 0; i < 10_000; i++) if ((await c.processNext()).caughtUp) return;
    throw new Error('did not catch up');
  };
  const table = async () =>
    (await db.pool.query('SELECT id, count::int, last_version::int, total::int FROM test_stream_counts_view ORDER BY id')).rows;

  it('applies every event exactly once across restarts (checkpoint and read model move together)', async () => {
    const projection = new StreamCountsProjection('test.counts-restart');
    await checkpoints.ensure(projection.name, 'projection');
    for (let s = 0; s < 20; s++) await count(`r-${s}`, 7);
    // "Process A" handles two batches and dies; "process B" starts from the checkpoint.
    const a = consumerFor(projection, 'proc-a', 30);
    await a.processNext();
    await a.processNext();
    const b = consumerFor(projection, 'proc-b', 30);
    await drain(b);
    const rows = await table();
    expect(rows).toHaveLength(20);
    for (const r of rows) expect(r).toMatchObject({ count: 7, last_version: 7, total: 28 });
    const state = await checkpoints.get(projection.name);
    expect(state!.eventsProcessed).toBe(140);
    await db.pool.query('TRUNCATE test_stream_counts_view');
  });

  it('fences a stale holder: a batch read from an old checkpoint is refused', async () => {
    const projection = new StreamCountsProjection('test.counts-fence');
    await checkpoints.ensure(projection.name, 'projection');
    await count('f-1', 3);
    const stale = await checkpoints.get(projection.name);
    await drain(consumerFor(projection, 'proc-a'));
    // A second holder still believing the old checkpoint cannot commit on top of it.
    const { inTransaction } = await import('./transaction');
    await expect(inTransaction(db.pool, (tx) => checkpoints.lockAt(tx, projection.name, stale!.checkpoint))).rejects.toBeInstanceOf(
      CheckpointMovedError,
    );
    await db.pool.query('TRUNCATE test_stream_counts_view');
  });

  it('parks a poison event after N attempts, parks its stream behind it, goes on with other streams; retry after the fix replays in order', async () => {
    const projection = new StreamCountsProjection('test.counts-poison');
    await checkpoints.ensure(projection.name, 'projection');
    await count('p-good', 3);
    await count('p-bad', 1);
    await count('p-bad', 1, { poison: true });
    await count('p-bad', 2); // later events of the poisoned stream
    await count('p-good', 2);
    const consumer = consumerFor(projection, 'proc-a', 4);
    await drain(consumer);

    const rows = await table();
    expect(rows.find((r) => r.id === 'p-good')).toMatchObject({ count: 5 });
    // The poisoned stream stopped before its poison event: no later event skipped ahead of it.
    expect(rows.find((r) => r.id === 'p-bad')).toMatchObject({ count: 1, last_version: 1 });
    const open = await parked.list({ subscription: projection.name, status: 'parked' });
    expect(open.map((p) => [p.streamId, p.reason])).toEqual([
      ['p-bad', 'failed'],
      ['p-bad', 'blocked-by-stream'],
      ['p-bad', 'blocked-by-stream'],
    ]);
    expect(open[0].attempts).toBe(3);
    expect(open[0].error).toMatch(/poison event/);
    const state = await checkpoints.get(projection.name);
    expect(state!.lastError).toMatch(/poison event/);

    // New events of the parked stream keep queuing behind it; other streams keep flowing.
    await count('p-bad', 1);
    await count('p-good', 1);
    await drain(consumer);
    expect((await parked.list({ subscription: projection.name, status: 'parked' })).length).toBe(4);
    expect((await table()).find((r) => r.id === 'p-good')).toMatchObject({ count: 6 });

    const registry = new ProjectionRegistry();
    registry.register(projection);
    const admin = new ParkedEventAdmin(db.pool, store, parked, registry, new ConsumerRegistry());
    await expect(admin.retry(open[0].id)).rejects.toMatchObject({ code: 'EVENTSOURCING.PARKED_RETRY_FAILED' });
    projection.poisonFixed = true;
    expect(await admin.retry(open[0].id)).toEqual({ replayed: 4 });
    expect((await table()).find((r) => r.id === 'p-bad')).toMatchObject({ count: 5, last_version: 5 });
    expect(await parked.list({ subscription: projection.name, status: 'parked' })).toEqual([]);
    // Once replayed, the stream flows normally again.
    await count('p-bad', 1);
    await drain(consumer);
    expect((await table()).find((r) => r.id === 'p-bad')).toMatchObject({ count: 6, last_version: 6 });
    await expect(admin.retry(open[0].id)).rejects.toMatchObject({ code: 'EVENTSOURCING.PARKED_EVENT_NOT_OPEN' });
    await db.pool.query('TRUNCATE test_stream_counts_view');
  });
});

describe('ProjectionRebuilder (blue/green)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let checkpoints: SubscriptionCheckpoints;
  let parked: ParkedEvents;

  beforeAll(async () => {
    db = await createTestDatabase(8);
    store = new PostgresEventStore(db.pool, { namedStatements: db.backend === 'pg' });
    checkpoints = new SubscriptionCheckpoints(db.pool);
    parked = new ParkedEvents(db.pool);
    await StreamCountsProjection.createTable(db.pool);
  });
  afterAll(async () => db?.close());

  const table = async () =>
    (await db.pool.query('SELECT id, count::int, last_version::int, total::int FROM test_stream_counts_view ORDER BY id')).rows;
  const count = (stream: string, n: number) =>
    store.append(stream, Array.from({ length: n }, (_, i) => ({ type: 'test.thing-counted', data: { amount: i + 1 } })), {
      streamType: 'thing',
      expectedVersion: ANY,
    });

  it('gives exactly the table incremental processing gives; readers see the old table until the swap; processing resumes after it', async () => {
    const projection = new StreamCountsProjection('test.counts-rebuild');
    await checkpoints.ensure(projection.name, 'projection');
    const consumer = new ProjectionConsumer(projection, store, db.pool, checkpoints, parked, {
      batchSize: 17,
      maxAttempts: 3,
      backoffMs: 1,
      holder: 'proc-a',
    });
    const drain = async () => {
      while (!(await consumer.processNext()).caughtUp);
    };
    for (let s = 0; s < 60; s++) await count(`b-${s % 13}`, (s % 5) + 1);
    await store.append('b-3', [{ type: 'test.thing-removed', data: {} }], { streamType: 'thing', expectedVersion: ANY });
    await drain();
    const incremental = await table();
    expect(incremental.length).toBe(12); // b-3 was removed

    // Wipe the read model: the rebuild must bring back exactly the incremental result.
    await db.pool.query('TRUNCATE test_stream_counts_view');
    const rebuilder = new ProjectionRebuilder(db.pool, store, checkpoints, 25);
    const id = await rebuilder.request(projection.name, 'test');
    let readsDuring = 0;
    await rebuilder.rebuild(projection, id, async (progress) => {
      // Between batches the shadow table is half built, yet readers still get the live (old) table.
      if (progress.eventsDone < progress.eventsTotal) {
        expect(await table()).toEqual([]);
        readsDuring++;
      }
    });
    expect(readsDuring).toBeGreaterThan(0);
    expect(await table()).toEqual(incremental); // row by row
    const [record] = await rebuilder.list(projection.name, 1);
    expect(record).toMatchObject({ status: 'completed', eventsTotal: record.eventsDone });
    expect(await checkpoints.get(projection.name)).toMatchObject({ status: 'running', rebuildRequestedAt: null });

    // Incremental processing continues from the rebuild's checkpoint, without counting twice.
    await count('b-1', 1);
    await drain();
    const b1 = (await table()).find((r) => r.id === 'b-1')!;
    expect(b1.count).toBe(incremental.find((r) => r.id === 'b-1')!.count + 1);
  });
});
