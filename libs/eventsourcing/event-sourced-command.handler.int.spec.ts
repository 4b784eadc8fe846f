import { testMetadata, useEventStoreTestbed } from '@test/support/event-store-testbed';
import { counterDecider, CounterLimitReached } from '@test/support/fixtures/counter.module';

describe('EventSourcedCommandHandler', () => {
  const bed = useEventStoreTestbed(4);

  const meta = testMetadata;
  const increment = (id: string, by: number, m = meta()) =>
    bed.handler.handle(counterDecider, { by, now: m.now }, {
      streamId: id,
      streamType: 'counter',
      metadata: m,
      result: ({ state }) => state.total,
      snapshots: { store: bed.snapshots, every: 3, type: 'counter.v1' },
    });

  it('writes actor, workspace, correlation and causation (the command id) into every event', async () => {
    const m = meta();
    await increment('snap-meta', 2, m);
    const [e] = (await bed.store.readStream('snap-meta')).events;
    expect(e).toMatchObject({ actorId: 'user-7', workspaceId: m.workspaceId, correlationId: 'req-7', causationId: m.commandId });
  });

  it('snapshots every N events and loads from the snapshot plus the newer events', async () => {
    for (let i = 0; i < 7; i++) await increment('snap-1', 1);
    const snap = await bed.snapshots.load<{ total: number }>('snap-1', 'counter.v1');
    expect(snap).toEqual({ state: { total: 6 }, version: 6 });
    // Tamper with the snapshot: if the bed.handler loads from it, the tampered total shows.
    await bed.snapshots.save('snap-1', 'counter.v1', 7, { total: 70 });
    const out = await increment('snap-1', 1);
    expect(out.result).toBe(71);
    // Another snapshot type (a new state shape) ignores the old snapshot and replays the stream.
    const replayed = await bed.handler.handle(counterDecider, { by: 1, now: new Date() }, {
      streamId: 'snap-1',
      streamType: 'counter',
      metadata: meta(),
      result: ({ state }) => state.total,
      snapshots: { store: bed.snapshots, every: 100, type: 'counter.v2' },
    });
    expect(replayed.result).toBe(9); // 8 real increments of 1, plus this one
  });

  it('a refused command appends nothing', async () => {
    await increment('snap-limit', 50);
    await increment('snap-limit', 50);
    await expect(increment('snap-limit', 1)).rejects.toBeInstanceOf(CounterLimitReached);
    expect((await bed.store.readStream('snap-limit')).currentVersion).toBe(2);
  });
});
