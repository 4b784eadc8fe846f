import { PoolClient } from 'pg';
import { ANY, Queryable, RecordedEvent, START_OF_LOG } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { eventually } from '@test/support/eventually';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { BatchedConsumer, ConsumerDeps } from './batched-consumer';
import { BatchedConsumers } from './batched-consumers';
import { ConsumerRegistry } from './durable-consumer';
import { ParkedEventAdmin } from './parked-event-admin';
import { ParkedEvents } from './parked-events';
import { CheckpointMovedError, SubscriptionCheckpoints } from './subscription-checkpoints';

/** The transaction id of `db`'s current transaction, or null outside one (a plain SELECT never gets one). */
const openTransaction = async (db: Queryable) =>
  (await db.query<{ x: string | null }>(`SELECT pg_current_xact_id_if_assigned()::text AS x`)).rows[0].x;

const noteType = (consumer: string) => `${consumer}.note-written`;

/** A toy consumer: counts each note's words before the transaction, stores them inside it. */
class WordCounts extends BatchedConsumer<Map<string, number>, number> {
  readonly eventTypes: string[];
  readonly log: string[] = [];
  readonly parkedEvents: { eventId: string; error: string }[] = [];
  /** What afterCommit saw from another connection: the applied rows, committed. */
  readonly seenAfterCommit: Promise<number>[] = [];
  poisonFixed = false;
  idleRounds = 0;
  /** Runs once, in the next prepare (to move the checkpoint under this consumer's feet). */
  duringPrepare?: () => Promise<void>;

  constructor(
    readonly name: string,
    readonly ordering: 'per-stream' | 'none',
    deps: ConsumerDeps,
    holder = 'proc-a',
    batchSize = 50,
  ) {
    super(deps, { batchSize, maxAttempts: 2, backoffMs: 1, holder });
    // Each test's consumer reads notes of its own (the log is shared by the tests of this file).
    this.eventTypes = [noteType(name)];
  }

  override async prepare(events: RecordedEvent[], db: Queryable): Promise<Map<string, number>> {
    this.log.push(`prepare ${events.length} ${(await openTransaction(db)) === null ? 'outside' : 'inside'} a transaction`);
    const hook = this.duringPrepare;
    this.duringPrepare = undefined;
    await hook?.();
    return new Map(events.map((e) => [e.eventId, String((e.data as { text: string }).text).split(/\s+/).length]));
  }

  async apply(tx: PoolClient, events: RecordedEvent[], words: Map<string, number>): Promise<number> {
    this.log.push(`apply ${events.length} ${(await openTransaction(tx)) === null ? 'outside' : 'inside'} a transaction`);
    for (const e of events) {
      if ((e.data as { poison?: boolean }).poison && !this.poisonFixed) throw new Error(`poison note ${e.eventId}`);
      await tx.query(`INSERT INTO test_note_words (consumer, event_id, stream_id, words) VALUES ($1, $2, $3, $4)`, [
        this.name,
        e.eventId,
        e.streamId,
        words.get(e.eventId),
      ]);
    }
    return events.length;
  }

  override afterCommit(applied: number): void {
    this.log.push(`afterCommit ${applied}`);
    this.seenAfterCommit.push(
      this.deps.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM test_note_words WHERE consumer = $1`, [this.name]).then((r) => r.rows[0].n),
    );
  }

  override async onIdle(): Promise<void> {
    this.idleRounds++;
  }

  override onParked(e: RecordedEvent, error: string): void {
    this.parkedEvents.push({ eventId: e.eventId, error });
  }
}

describe('BatchedConsumer (the base of every durable consumer)', () => {
  let db: TestDatabase;
  let deps: ConsumerDeps;
  let store: PostgresEventStore;
  let checkpoints: SubscriptionCheckpoints;
  let parked: ParkedEvents;

  beforeAll(async () => {
    db = await createTestDatabase(8);
    store = new PostgresEventStore(db.pool, { namedStatements: db.backend === 'pg' });
    checkpoints = new SubscriptionCheckpoints(db.pool);
    parked = new ParkedEvents(db.pool);
    deps = { store, pool: db.pool, checkpoints, parked };
    await db.pool.query(`CREATE TABLE IF NOT EXISTS test_note_words (
      consumer text NOT NULL, event_id uuid NOT NULL, stream_id text NOT NULL, words int NOT NULL, PRIMARY KEY (consumer, event_id))`);
  });
  afterAll(async () => db?.close());

  const consumer = async (name: string, ordering: 'per-stream' | 'none' = 'per-stream', holder = 'proc-a', batchSize = 50) => {
    await checkpoints.ensure(name, 'integration');
    return new WordCounts(name, ordering, deps, holder, batchSize);
  };
  const write = (c: WordCounts, stream: string, ...notes: (string | { text: string; poison: true })[]) =>
    store.append(stream, notes.map((n) => ({ type: noteType(c.name), data: typeof n === 'string' ? { text: n } : n })), {
      streamType: 'note',
      expectedVersion: ANY,
    });
  const drain = async (c: WordCounts) => {
    for (let i = 0; i < 1000; i++) if ((await c.processNext()).caughtUp) return;
    throw new Error('did not catch up');
  };
  // On a shared PostgreSQL server another database's open transaction can hold the log's safe horizon back for a moment.
  const drainUntil = (c: WordCounts, processed: number) =>
    eventually(async () => {
      await drain(c);
      return (await checkpoints.get(c.name))!.eventsProcessed >= processed;
    }, 10_000, 20);
  const rows = async (name: string) =>
    (await db.pool.query(`SELECT stream_id, words FROM test_note_words WHERE consumer = $1 ORDER BY stream_id, words`, [name])).rows;

  it('prepares outside the transaction, applies inside it with the checkpoint, calls afterCommit once committed, onIdle when caught up', async () => {
    const c = await consumer('test.batched-basic');
    await write(c, 'n-1', 'one two three', 'four five');
    await write(c, 'n-2', 'six');
    await drainUntil(c, 3);
    expect(c.log).toEqual(['prepare 3 outside a transaction', 'apply 3 inside a transaction', 'afterCommit 3']);
    expect(await Promise.all(c.seenAfterCommit)).toEqual([3]);
    expect(await rows('test.batched-basic')).toEqual([
      { stream_id: 'n-1', words: 2 },
      { stream_id: 'n-1', words: 3 },
      { stream_id: 'n-2', words: 1 },
    ]);
    expect((await checkpoints.get('test.batched-basic'))!.eventsProcessed).toBe(3);
    // Nothing left: an idle round, with no prepare, apply or afterCommit.
    const idle = c.idleRounds;
    expect(await c.processNext()).toEqual({ processed: 0, parked: 0, caughtUp: true });
    expect(c.idleRounds).toBe(idle + 1);
    expect(c.log).toHaveLength(3);
  });

  it('parks a poison event after its attempts and holds its stream back behind it (per-stream); afterCommit never sees a failed batch; the admin retry replays it', async () => {
    const name = 'test.batched-poison';
    const c = await consumer(name);
    await write(c, 'p-good', 'a b');
    await write(c, 'p-bad', 'c', { text: 'd e', poison: true }, 'f g h');
    await write(c, 'p-good', 'i');
    await drainUntil(c, 5);

    expect(await rows(name)).toEqual([
      { stream_id: 'p-bad', words: 1 },
      { stream_id: 'p-good', words: 1 },
      { stream_id: 'p-good', words: 2 },
    ]);
    const open = await parked.list({ subscription: name, status: 'parked' });
    expect(open.map((p) => [p.streamId, p.reason, p.attempts])).toEqual([
      ['p-bad', 'failed', 2],
      ['p-bad', 'blocked-by-stream', 0],
    ]);
    expect(c.parkedEvents).toEqual([{ eventId: open[0].eventId, error: expect.stringMatching(/poison note/) }]);
    // The whole batch failed once, then the culprit twice: none of those attempts reached afterCommit.
    const commits = c.log.filter((l) => l.startsWith('afterCommit'));
    expect(commits.reduce((n, l) => n + Number(l.split(' ')[1]), 0)).toBe(3);
    expect(await Promise.all(c.seenAfterCommit)).toEqual(expect.arrayContaining([3]));
    expect((await checkpoints.get(name))!.eventsProcessed).toBe(5);

    // Later events of the parked stream keep queuing behind it; other streams flow.
    await write(c, 'p-bad', 'j');
    await write(c, 'p-good', 'k l m n');
    await drainUntil(c, 7);
    expect((await parked.list({ subscription: name, status: 'parked' })).length).toBe(3);
    expect((await rows(name)).filter((r) => r.stream_id === 'p-good')).toHaveLength(3);

    // The admin's retry replays the stream in order inside its transaction: prepare and apply there, no afterCommit.
    const registry = new ConsumerRegistry();
    let replayed = -1;
    new BatchedConsumers(db.pool, store, checkpoints, parked, registry).register('integration', (holder) => (holder === 'replay' ? c : new WordCounts(name, 'per-stream', deps, holder)), (n) => {
      replayed = n;
    });
    const admin = new ParkedEventAdmin(db.pool, store, parked, new ProjectionRegistry(), registry);
    await expect(admin.retry(open[0].id)).rejects.toMatchObject({ code: 'EVENTSOURCING.PARKED_RETRY_FAILED' });
    c.poisonFixed = true;
    c.log.length = 0;
    expect(await admin.retry(open[0].id)).toEqual({ replayed: 3 });
    expect(c.log).toEqual(['prepare 3 inside a transaction', 'apply 3 inside a transaction']);
    expect(replayed).toBe(3);
    expect((await rows(name)).filter((r) => r.stream_id === 'p-bad')).toEqual([
      { stream_id: 'p-bad', words: 1 },
      { stream_id: 'p-bad', words: 1 },
      { stream_id: 'p-bad', words: 2 },
      { stream_id: 'p-bad', words: 3 },
    ]);
    expect(await parked.list({ subscription: name, status: 'parked' })).toEqual([]);
  });

  it('without per-stream ordering, only the poison event is parked: the later events of its stream go on', async () => {
    const name = 'test.batched-unordered';
    const c = await consumer(name, 'none');
    await write(c, 'u-bad', 'a', { text: 'b', poison: true }, 'c d');
    await drainUntil(c, 3);
    expect(await rows(name)).toEqual([
      { stream_id: 'u-bad', words: 1 },
      { stream_id: 'u-bad', words: 2 },
    ]);
    expect((await parked.list({ subscription: name, status: 'parked' })).map((p) => p.reason)).toEqual(['failed']);
  });

  it('catches up over full pages read ahead, every event once and in order; a page read ahead from a checkpoint since moved is not used', async () => {
    const name = 'test.batched-read-ahead';
    const c = await consumer(name, 'per-stream', 'proc-a', 2);
    await write(c, 'r-1', 'a', 'b c', 'd e f', 'g h i j', 'k l m n o');
    await drainUntil(c, 5);
    expect(c.log.filter((l) => l.startsWith('apply'))).toEqual(['apply 2 inside a transaction', 'apply 2 inside a transaction', 'apply 1 inside a transaction']);
    expect((await rows(name)).map((r) => r.words)).toEqual([1, 2, 3, 4, 5]);

    // A full page applied leaves the next one read ahead; the checkpoint is then reset under it (as a rebuild does).
    await db.pool.query(`DELETE FROM test_note_words WHERE consumer = $1`, [name]);
    await checkpoints.resetAfterRebuild(db.pool, name, START_OF_LOG, 0);
    await write(c, 'r-2', 'p', 'q r');
    expect((await c.processNext()).processed).toBe(2);
    await checkpoints.resetAfterRebuild(db.pool, name, START_OF_LOG, 0);
    await db.pool.query(`DELETE FROM test_note_words WHERE consumer = $1`, [name]);
    await drainUntil(c, 7);
    expect((await rows(name)).map((r) => `${r.stream_id}:${r.words}`)).toEqual(['r-1:1', 'r-1:2', 'r-1:3', 'r-1:4', 'r-1:5', 'r-2:1', 'r-2:2']);
    expect((await checkpoints.get(name))!.eventsProcessed).toBe(7);
  });

  it('refuses to commit on top of a checkpoint another holder moved (rethrown, never parked)', async () => {
    const name = 'test.batched-fence';
    const stale = await consumer(name, 'per-stream', 'proc-a');
    const other = await consumer(name, 'per-stream', 'proc-b');
    await write(stale, 'f-1', 'x y');
    // While proc-a prepares its batch, proc-b takes the same batch and commits it first.
    stale.duringPrepare = () => drainUntil(other, 1).then(() => undefined);
    await expect(stale.processNext()).rejects.toBeInstanceOf(CheckpointMovedError);
    expect(await rows(name)).toEqual([{ stream_id: 'f-1', words: 2 }]);
    expect(await parked.list({ subscription: name })).toEqual([]);
    expect(stale.log.filter((l) => l.startsWith('afterCommit'))).toEqual([]);
    expect((await checkpoints.get(name))!.holder).toBe('proc-b');
  });
});
