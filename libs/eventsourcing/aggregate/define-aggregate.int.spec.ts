import { v7 as uuidv7 } from 'uuid';
import { ApplicationError, IdempotencyKeyReusedError } from '@libs/common/errors/application-error';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { counterDecider } from '@test/support/fixtures/counter.module';
import { testMetadata, useEventStoreTestbed } from '@test/support/event-store-testbed';
import { defineAggregate } from './define-aggregate';

class CounterStale extends ApplicationError {
  readonly code = 'TEST.COUNTER_STALE';
}

const counter = defineAggregate(counterDecider, {
  streamType: 'counter',
  result: ({ state, version }) => ({ total: state.total, version }),
  staleVersion: (err, expected) => new CounterStale(`The counter changed since version ${expected}`, { currentVersion: err.actualVersion }),
});

describe('defineAggregate', () => {
  const bed = useEventStoreTestbed(4);

  const meta = testMetadata;
  const by = (n: number) => ({ by: n, now: new Date('2026-11-25T12:00:00Z') });

  it('names the stream `<streamType>-<id>` unless told otherwise, and records the stream type', async () => {
    const id = uuidv7();
    const out = await counter.bind(bed.handler).handle(id, by(2), meta());
    expect(out).toEqual({ result: { total: 2, version: 1 }, version: 1, events: 1, duplicate: false });
    expect(counter.streamId(id)).toBe(`counter-${id}`);
    const [e] = (await bed.store.readStream(`counter-${id}`)).events;
    expect(e).toMatchObject({ streamType: 'counter', type: 'test.counter-incremented' });

    const named = defineAggregate(counterDecider, { streamType: 'counter', streamId: (key) => `tally-${key}`, result: ({ state }) => state.total });
    await named.bind(bed.handler).handle(id, by(3), meta());
    expect((await bed.store.readStream(`tally-${id}`)).currentVersion).toBe(1);
  });

  it('answers an Idempotency-Key retry with the first result, and refuses the key for another request', async () => {
    const id = uuidv7();
    const aggregate = counter.bind(bed.handler);
    const first = await aggregate.handle(id, by(5), meta({ idempotencyKey: 'k-1' }), { fingerprint: { by: 5 } });
    const retry = await aggregate.handle(id, by(5), meta({ idempotencyKey: 'k-1' }), { fingerprint: { by: 5 } });
    expect(retry).toEqual({ result: first.result, version: first.version, events: 0, duplicate: true });
    expect((await bed.store.readStream(counter.streamId(id))).currentVersion).toBe(1);
    await expect(aggregate.handle(id, by(6), meta({ idempotencyKey: 'k-1' }), { fingerprint: { by: 6 } })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it("turns a stale If-Match into the module's own error, and leaves a current one alone", async () => {
    const id = uuidv7();
    const aggregate = counter.bind(bed.handler);
    await aggregate.handle(id, by(1), meta());
    await aggregate.handle(id, by(1), meta());
    const stale = aggregate.handle(id, by(1), meta({ expectedVersion: 1 }));
    await expect(stale).rejects.toBeInstanceOf(CounterStale);
    await expect(stale).rejects.toMatchObject({ details: { currentVersion: 2 } });
    await expect(aggregate.handle(id, by(1), meta({ expectedVersion: 2 }))).resolves.toMatchObject({ version: 3 });

    // Without a mapping the ConcurrencyError itself goes up.
    const plain = defineAggregate(counterDecider, { streamType: 'counter', result: () => null }).bind(bed.handler);
    await expect(plain.handle(id, by(1), meta({ expectedVersion: 1 }))).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('ignores the metadata it is declared to ignore: no If-Match check, no stored answer', async () => {
    const id = uuidv7();
    const internal = defineAggregate(counterDecider, { streamType: 'counter', result: ({ state }) => state.total, ignores: ['expectedVersion', 'idempotencyKey'] }).bind(bed.handler);
    await internal.handle(id, by(1), meta());
    await expect(internal.handle(id, by(1), meta({ expectedVersion: 7, idempotencyKey: 'k-2' }))).resolves.toMatchObject({ result: 2, duplicate: false });
    await expect(internal.handle(id, by(1), meta({ idempotencyKey: 'k-2' }))).resolves.toMatchObject({ result: 3, duplicate: false });
  });

  it('decides a racing writer again when no If-Match pins the version', async () => {
    const id = uuidv7();
    const aggregate = counter.bind(bed.handler);
    await Promise.all(Array.from({ length: 5 }, () => aggregate.handle(id, by(1), meta())));
    expect((await bed.store.readStream(counter.streamId(id))).currentVersion).toBe(5);
  });

  it('takes bed.snapshots when declared, and needs a SnapshotStore to bind', async () => {
    const id = uuidv7();
    const snapshotted = defineAggregate(counterDecider, { streamType: 'counter', result: ({ state }) => state.total, snapshots: { every: 2, type: 'counter.define-aggregate.v1' } });
    expect(() => snapshotted.bind(bed.handler)).toThrow(/SnapshotStore/);
    const aggregate = snapshotted.bind(bed.handler, bed.snapshots);
    for (let i = 0; i < 3; i++) await aggregate.handle(id, by(1), meta());
    expect(await bed.snapshots.load(snapshotted.streamId(id), 'counter.define-aggregate.v1')).toEqual({ state: { total: 2 }, version: 2 });
  });
});
