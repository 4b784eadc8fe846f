import { ChildProcess, spawn } from 'node:child_process';
import { ANY } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { eventually } from '@test/support/eventually';
import { StreamCountsProjection } from '@test/support/fixtures/stream-counts.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

// Several processes sharing one database is the PostgreSQL mode; the embedded database is
// single-process by design (a lock file refuses a second process), so this runs on pg only.
const describePg = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describePg('two app processes running the same consumer', () => {
  let db: TestDatabase;
  const children: ChildProcess[] = [];
  const STREAMS = 2_000;
  const PER_STREAM = 10;
  const NAME = 'test.counts-two-processes';

  beforeAll(async () => {
    db = await createTestDatabase(8);
    await StreamCountsProjection.createTable(db.pool);
    await new SubscriptionCheckpoints(db.pool).ensure(NAME, 'projection');
    const store = new PostgresEventStore(db.pool, { namedStatements: true });
    for (let s = 0; s < STREAMS; s += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.append(`two-${s + i}`, Array.from({ length: PER_STREAM }, () => ({ type: 'test.thing-counted', data: { amount: 1 } })), {
            streamType: 'thing',
            expectedVersion: ANY,
          }),
        ),
      );
    }
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await db?.close();
  });

  const start = (tag: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/consumer-process.ts', db.url, NAME, tag], {
      env: { ...process.env, HANDLER_DELAY_MS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { holderSince: 0, lines: [] as string[] };
    child.stdout!.on('data', (d: Buffer) => {
      out.lines.push(...d.toString().trim().split('\n'));
      if (d.toString().includes('HOLDER')) out.holderSince = Date.now();
    });
    child.stderr!.on('data', (d: Buffer) => out.lines.push(d.toString()));
    children.push(child);
    return { child, out };
  };
  const processed = async () =>
    Number((await db.pool.query(`SELECT events_processed FROM subscription_checkpoints WHERE name = $1`, [NAME])).rows[0].events_processed);

  it('applies each of 20,000 events exactly once, and the survivor takes over after kill -9 of the holder', async () => {
    const a = start('a');
    const b = start('b');
    const first = await eventually(() => (a.out.holderSince ? a : b.out.holderSince ? b : false), 30_000);
    const other = first === a ? b : a;
    await eventually(async () => (await processed()) >= 5_000, 60_000, 100);
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    await eventually(() => other.out.holderSince > killedAt, 15_000, 50).catch((err) => {
      // Say what the survivor was doing: a failure here is otherwise a bare "stayed false".
      throw new Error(`the survivor did not take over: ${String(err)}\n${other.out.lines.slice(-20).join('\n')}`);
    });
    const takeoverSeconds = (other.out.holderSince - killedAt) / 1000;
    expect(takeoverSeconds).toBeLessThan(5);
    await eventually(async () => (await processed()) >= STREAMS * PER_STREAM, 120_000, 200);

    const rows = await db.pool.query(`SELECT count(*)::int AS streams, sum(count)::int AS applied, min(count)::int AS lo, max(count)::int AS hi FROM test_stream_counts_view`);
    expect(rows.rows[0]).toEqual({ streams: STREAMS, applied: STREAMS * PER_STREAM, lo: PER_STREAM, hi: PER_STREAM });
    expect(await processed()).toBe(STREAMS * PER_STREAM);
  }, 240_000);
});
