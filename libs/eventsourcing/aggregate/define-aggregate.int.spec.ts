import { v7 as uuidv7 } from 'uuid';
import { ApplicationError, IdempotencyKeyReusedError } from '@libs/common/errors/application-error';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';
import { counterDecider } from '@test/support/fixtures/counter.module';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
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
  let db: TestDatabase;
  let store: PostgresEventStore;
  let handler: EventSourcedCommandHandler;
  let snapshots: SnapshotStore;

  beforeAll(async () => {
    db = await createTestDatabase(4);
    store = new PostgresEventStore(db.pool, { namedStatements: db.backend === 'pg' });
    handler = new EventSourcedCommandHandler(store);
    snapshots = new SnapshotStore(db.pool);
  });
  afterAll(async () => db?.close());

  const meta = (overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({
    commandId: uuidv7(),
    workspaceId: '0195f0a0-0000-7000-8000-0000000000aa',
    actorId: 'user-7',
    correlationId: 'req-7',
    now: new Date('2026-11-25T12:00:00Z'),
    ...overrides,
  });
  const by = (n: number) => ({ by: n, now: new Date('2026-11-25T12:00:00Z') });

  it('names the stream `<streamType>-<id>` unless told otherwise, and records the stream type', async () => {
    const id = uuidv7();
    const out = await counter.bind(handler).handle(id, by(2), meta());
    expect(out).toEqual({ result: { total: 2, version: 1 }, version: 1, events: 1, duplicate: false });
    expect(counter.streamId(id)).toBe(`counter-${id}`);
    const [e] = (await store.readStream(`counter-${id}`)).events;
    expect(e).toMatchObject({ streamType: 'counter', type: 'test.counter-incremented' });

    const named = defineAggregate(counterDecider, { streamType: 'counter', streamId: (key) => `tally-${key}`, result: ({ state }) => state.total });
    await named.bind(handler).handle(id, by(3), meta());
    expect((await store.readStream(`tally-${id}`)).currentVersion).toBe(1);
  });

  it('answers an Idempotency-Key retry with the first result, and refuses the key for another request', async () => {
    const id = uuidv7();
    const aggregate = counter.bind(handler);
    const first = await aggregate.handle(id, by(5), meta({ idempotencyKey: 'k-1' }), { fingerprint: { by: 5 } });
    const retry = await aggregate.handle(id, by(5), meta({ idempotencyKey: 'k-1' }), { fingerprint: { by: 5 } });
    expect(retry).toEqual({ result: first.result, version: first.version, events: 0, duplicate: true });
    expect((await store.readStream(counter.streamId(id))).currentVersion).toBe(1);
    await expect(aggregate.handle(id, by(6), meta({ idempotencyKey: 'k-1' }), { fingerprint: { by: 6 } })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it("turns a stale If-Match into the module's own error, and leaves a current one alone", async () => {
    const id = uuidv7();
    const aggregate = counter.bind(handler);
    await aggregate.handle(id, by(1), meta());
    await aggregate.handle(id, by(1), meta());
    const stale = aggregate.handle(id, by(1), meta({ expectedVersion: 1 }));
    await expect(stale).rejects.toBeInstanceOf(CounterStale);
    await expect(stale).rejects.toMatchObject({ details: { currentVersion: 2 } });
    await expect(aggregate.handle(id, by(1), meta({ expectedVersion: 2 }))).resolves.toMatchObject({ version: 3 });

    // Without a mapping the ConcurrencyError itself goes up.
    const plain = defineAggregate(counterDecider, { streamType: 'counter', result: () => null }).bind(handler);
    await expect(plain.handle(id, by(1), meta({ expectedVersion: 1 }))).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('ignores the metadata it is declared to ignore: no If-Match check, no stored answer', async () => {
    const id = uuidv7();
    const internal = defineAggregate(counterDecider, { streamType: 'counter', result: ({ state }) => state.total, ignores: ['expectedVersion', 'idempotencyKey'] }).bind(handler);
    await internal.handle(id, by(1), meta());
    await expect(internal.handle(id, by(1), meta({ expectedVersion: 7, idempotencyKey: 'k-2' }))).resolves.toMatchObject({ result: 2, duplicate: false });
    await expect(internal.handle(id, by(1), meta({ idempotencyKey: 'k-2' }))).resolves.toMatchObject({ result: 3, duplicate: false });
  });

  it('decides a racing writer again when no If-Match pins the version', async () => {
    const id = uuidv7();
    const aggregate = counter.bind(handler);
    await Promise.all(Array.from({ length: 5 }, () => aggregate.handle(id, by(1), meta())));
    expect((await store.readStream(counter.streamId(id))).currentVersion).toBe(5);
  });

  it('takes snapshots when declared, and needs a SnapshotStore to bind', async () => {
    const id = uuidv7();
    const snapshotted = defineAggregate(counterDecider, { streamType: 'counter', result: ({ state }) => state.total, snapshots: { every: 2, type: 'counter.define-aggregate.v1' } });
    expect(() => snapshotted.bind(handler)).toThrow(/SnapshotStore/);
    const aggregate = snapshotted.bind(handler, snapshots);
    for (let i = 0; i < 3; i++) await aggregate.handle(id, by(1), meta());
    expect(await snapshots.load(snapshotted.streamId(id), 'counter.define-aggregate.v1')).toEqual({ state: { total: 2 }, version: 2 });
  });
});
