import { v7 as uuidv7 } from 'uuid';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { counterDecider, CounterLimitReached } from '@test/support/fixtures/counter.module';
import { CommandMetadata } from './command-metadata';
import { EventSourcedCommandHandler } from './event-sourced-command.handler';
import { SnapshotStore } from './snapshot-store';

describe('EventSourcedCommandHandler', () => {
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
  const increment = (id: string, by: number, m = meta()) =>
    handler.handle(counterDecider, { by, now: m.now }, {
      streamId: id,
      streamType: 'counter',
      metadata: m,
      result: ({ state }) => state.total,
      snapshots: { store: snapshots, every: 3, type: 'counter.v1' },
    });

  it('writes actor, workspace, correlation and causation (the command id) into every event', async () => {
    const m = meta();
    await increment('snap-meta', 2, m);
    const [e] = (await store.readStream('snap-meta')).events;
    expect(e).toMatchObject({ actorId: 'user-7', workspaceId: m.workspaceId, correlationId: 'req-7', causationId: m.commandId });
  });

  it('snapshots every N events and loads from the snapshot plus the newer events', async () => {
    for (let i = 0; i < 7; i++) await increment('snap-1', 1);
    const snap = await snapshots.load<{ total: number }>('snap-1', 'counter.v1');
    expect(snap).toEqual({ state: { total: 6 }, version: 6 });
    // Tamper with the snapshot: if the handler loads from it, the tampered total shows.
    await snapshots.save('snap-1', 'counter.v1', 7, { total: 70 });
    const out = await increment('snap-1', 1);
    expect(out.result).toBe(71);
    // Another snapshot type (a new state shape) ignores the old snapshot and replays the stream.
    const replayed = await handler.handle(counterDecider, { by: 1, now: new Date() }, {
      streamId: 'snap-1',
      streamType: 'counter',
      metadata: meta(),
      result: ({ state }) => state.total,
      snapshots: { store: snapshots, every: 100, type: 'counter.v2' },
    });
    expect(replayed.result).toBe(9); // 8 real increments of 1, plus this one
  });

  it('a refused command appends nothing', async () => {
    await increment('snap-limit', 50);
    await increment('snap-limit', 50);
    await expect(increment('snap-limit', 1)).rejects.toBeInstanceOf(CounterLimitReached);
    expect((await store.readStream('snap-limit')).currentVersion).toBe(2);
  });
});
