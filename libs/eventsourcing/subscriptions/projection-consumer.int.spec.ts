import { ANY } from '@libs/event-store/event-store.types';
import { useEventStoreTestbed } from '@test/support/event-store-testbed';
import { StreamCountsProjection } from '@test/support/fixtures/stream-counts.projection';
import { ProjectionRebuilder } from '@libs/eventsourcing/projections/projection-rebuilder';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { ConsumerRegistry } from './durable-consumer';
import { ParkedEventAdmin } from './parked-event-admin';
import { ProjectionConsumer } from './projection-consumer';
import { CheckpointMovedError } from './subscription-checkpoints';

describe('ProjectionConsumer (durable subscription of a row projection)', () => {
  const bed = useEventStoreTestbed(8);
  beforeAll(async () => {
    await StreamCountsProjection.createTable(bed.db.pool);
  });

  const consumerFor = (projection: StreamCountsProjection, holder = 'proc-a', batchSize = 50) =>
    new ProjectionConsumer(projection, bed.store, bed.db.pool, bed.checkpoints, bed.parked, { batchSize, maxAttempts: 3, backoffMs: 1, holder });
  const count = (stream: string, n: number, extra: Record<string, unknown> = {}) =>
    bed.store.append(stream, Array.from({ length: n }, (_, i) => ({ type: 'test.thing-counted', data: { amount: i + 1, ...extra } })), {
      streamType: 'thing',
      expectedVersion: ANY,
    });
  const drain = async (c: ProjectionConsumer) => {
    for (let i = 0; i < 10_000; i++) if ((await c.processNext()).caughtUp) return;
    throw new Error('did not catch up');
  };
  const table = async () =>
    (await bed.db.pool.query('SELECT id, count::int, last_version::int, total::int FROM test_stream_counts_view ORDER BY id')).rows;

  it('applies every event exactly once across restarts (checkpoint and read model move together)', async () => {
    const projection = new StreamCountsProjection('test.counts-restart');
    await bed.checkpoints.ensure(projection.name, 'projection');
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
    const state = await bed.checkpoints.get(projection.name);
    expect(state!.eventsProcessed).toBe(140);
    await bed.db.pool.query('TRUNCATE test_stream_counts_view');
  });

  it('fences a stale holder: a batch read from an old checkpoint is refused', async () => {
    const projection = new StreamCountsProjection('test.counts-fence');
    await bed.checkpoints.ensure(projection.name, 'projection');
    await count('f-1', 3);
    const stale = await bed.checkpoints.get(projection.name);
    await drain(consumerFor(projection, 'proc-a'));
    // A second holder still believing the old checkpoint cannot commit on top of it.
    const { inTransaction } = await import('./transaction');
    await expect(inTransaction(bed.db.pool, (tx) => bed.checkpoints.lockAt(tx, projection.name, stale!.checkpoint))).rejects.toBeInstanceOf(
      CheckpointMovedError,
    );
    await bed.db.pool.query('TRUNCATE test_stream_counts_view');
  });

  it('parks a poison event after N attempts, parks its stream behind it, goes on with other streams; retry after the fix replays in order', async () => {
    const projection = new StreamCountsProjection('test.counts-poison');
    await bed.checkpoints.ensure(projection.name, 'projection');
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
    const open = await bed.parked.list({ subscription: projection.name, status: 'parked' });
    expect(open.map((p) => [p.streamId, p.reason])).toEqual([
      ['p-bad', 'failed'],
      ['p-bad', 'blocked-by-stream'],
      ['p-bad', 'blocked-by-stream'],
    ]);
    expect(open[0].attempts).toBe(3);
    expect(open[0].error).toMatch(/poison event/);
    const state = await bed.checkpoints.get(projection.name);
    expect(state!.lastError).toMatch(/poison event/);

    // New events of the bed.parked stream keep queuing behind it; other streams keep flowing.
    await count('p-bad', 1);
    await count('p-good', 1);
    await drain(consumer);
    expect((await bed.parked.list({ subscription: projection.name, status: 'parked' })).length).toBe(4);
    expect((await table()).find((r) => r.id === 'p-good')).toMatchObject({ count: 6 });

    const registry = new ProjectionRegistry();
    registry.register(projection);
    const admin = new ParkedEventAdmin(bed.db.pool, bed.store, bed.parked, registry, new ConsumerRegistry());
    await expect(admin.retry(open[0].id)).rejects.toMatchObject({ code: 'EVENTSOURCING.PARKED_RETRY_FAILED' });
    projection.poisonFixed = true;
    expect(await admin.retry(open[0].id)).toEqual({ replayed: 4 });
    expect((await table()).find((r) => r.id === 'p-bad')).toMatchObject({ count: 5, last_version: 5 });
    expect(await bed.parked.list({ subscription: projection.name, status: 'parked' })).toEqual([]);
    // Once replayed, the stream flows normally again.
    await count('p-bad', 1);
    await drain(consumer);
    expect((await table()).find((r) => r.id === 'p-bad')).toMatchObject({ count: 6, last_version: 6 });
    await expect(admin.retry(open[0].id)).rejects.toMatchObject({ code: 'EVENTSOURCING.PARKED_EVENT_NOT_OPEN' });
    await bed.db.pool.query('TRUNCATE test_stream_counts_view');
  });
});

describe('ProjectionRebuilder (blue/green)', () => {
  const bed = useEventStoreTestbed(8);
  beforeAll(async () => {
    await StreamCountsProjection.createTable(bed.db.pool);
  });

  const table = async () =>
    (await bed.db.pool.query('SELECT id, count::int, last_version::int, total::int FROM test_stream_counts_view ORDER BY id')).rows;
  const count = (stream: string, n: number) =>
    bed.store.append(stream, Array.from({ length: n }, (_, i) => ({ type: 'test.thing-counted', data: { amount: i + 1 } })), {
      streamType: 'thing',
      expectedVersion: ANY,
    });

  it('gives exactly the table incremental processing gives; readers see the old table until the swap; processing resumes after it', async () => {
    const projection = new StreamCountsProjection('test.counts-rebuild');
    await bed.checkpoints.ensure(projection.name, 'projection');
    const consumer = new ProjectionConsumer(projection, bed.store, bed.db.pool, bed.checkpoints, bed.parked, {
      batchSize: 17,
      maxAttempts: 3,
      backoffMs: 1,
      holder: 'proc-a',
    });
    const drain = async () => {
      while (!(await consumer.processNext()).caughtUp);
    };
    for (let s = 0; s < 60; s++) await count(`b-${s % 13}`, (s % 5) + 1);
    await bed.store.append('b-3', [{ type: 'test.thing-removed', data: {} }], { streamType: 'thing', expectedVersion: ANY });
    await drain();
    const incremental = await table();
    expect(incremental.length).toBe(12); // b-3 was removed

    // Wipe the read model: the rebuild must bring back exactly the incremental result.
    await bed.db.pool.query('TRUNCATE test_stream_counts_view');
    const rebuilder = new ProjectionRebuilder(bed.db.pool, bed.store, bed.checkpoints, 25);
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
    expect(await bed.checkpoints.get(projection.name)).toMatchObject({ status: 'running', rebuildRequestedAt: null });

    // Incremental processing continues from the rebuild's checkpoint, without counting twice.
    await count('b-1', 1);
    await drain();
    const b1 = (await table()).find((r) => r.id === 'b-1')!;
    expect(b1.count).toBe(incremental.find((r) => r.id === 'b-1')!.count + 1);
  });
});
