import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { ConcurrencyError } from './concurrency.error';
import { EventPartitions } from './event-partitions';
import { EventTypeRegistry } from './event-type-registry';
import { ANY, Checkpoint, NO_STREAM, RecordedEvent, START_OF_LOG, STREAM_EXISTS } from './event-store.types';
import { PostgresEventStore } from './postgres-event-store';

const WS = '0195f0a0-0000-7000-8000-000000000001';

describe('PostgresEventStore', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase(24);
    store = new PostgresEventStore(db.pool, { namedStatements: db.backend === 'pg' });
  });
  afterAll(async () => db?.close());

  const ev = (type: string, data: unknown = {}) => ({ type, data });

  describe('append and readStream', () => {
    it('appends several events as one transaction with consecutive versions and reads them both ways', async () => {
      const r = await store.append('acct-1', [ev('opened', { n: 1 }), ev('deposited', { n: 2 }), ev('deposited', { n: 3 })], {
        streamType: 'account',
        expectedVersion: NO_STREAM,
        workspaceId: WS,
        actorId: 'user-1',
        correlationId: 'req-1',
        causationId: 'cmd-1',
      });
      expect(r.duplicate).toBe(false);
      if (r.duplicate) return;
      expect(r.nextExpectedVersion).toBe(3);
      expect(r.lastPosition - r.firstPosition).toBe(2);

      const fwd = await store.readStream('acct-1');
      expect(fwd.currentVersion).toBe(3);
      expect(fwd.events.map((e) => [e.streamVersion, e.type, (e.data as any).n])).toEqual([
        [1, 'opened', 1],
        [2, 'deposited', 2],
        [3, 'deposited', 3],
      ]);
      expect(fwd.events[0]).toMatchObject({
        workspaceId: WS,
        actorId: 'user-1',
        correlationId: 'req-1',
        causationId: 'cmd-1',
        streamType: 'account',
        schemaVersion: 1,
      });
      // All three events share the transaction id of the single append.
      expect(new Set(fwd.events.map((e) => e.transactionId)).size).toBe(1);

      const back = await store.readStream('acct-1', { direction: 'backward', maxCount: 2 });
      expect(back.events.map((e) => e.streamVersion)).toEqual([3, 2]);
      const from2 = await store.readStream('acct-1', { fromVersion: 2 });
      expect(from2.events.map((e) => e.streamVersion)).toEqual([2, 3]);
      const back2 = await store.readStream('acct-1', { direction: 'backward', fromVersion: 2 });
      expect(back2.events.map((e) => e.streamVersion)).toEqual([2, 1]);
    });

    it('reports a missing stream as not existing', async () => {
      const r = await store.readStream('nope');
      expect(r).toEqual({ streamExists: false, currentVersion: 0, events: [] });
    });

    it('enforces NO_STREAM, STREAM_EXISTS, exact versions and ANY', async () => {
      await expect(store.append('s-exp', [ev('a')], { streamType: 't', expectedVersion: STREAM_EXISTS })).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      await store.append('s-exp', [ev('a')], { streamType: 't', expectedVersion: NO_STREAM });
      const again = store.append('s-exp', [ev('a')], { streamType: 't', expectedVersion: NO_STREAM });
      await expect(again).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT', actualVersion: 1 });
      await expect(store.append('s-exp', [ev('b')], { streamType: 't', expectedVersion: 5 })).rejects.toMatchObject({
        expectedVersion: 5,
        actualVersion: 1,
      });
      const ok = await store.append('s-exp', [ev('b')], { streamType: 't', expectedVersion: 1 });
      expect(ok).toMatchObject({ nextExpectedVersion: 2 });
      const exists = await store.append('s-exp', [ev('c')], { streamType: 't', expectedVersion: STREAM_EXISTS });
      expect(exists).toMatchObject({ nextExpectedVersion: 3 });
      const any1 = await store.append('s-exp', [ev('d')], { streamType: 't', expectedVersion: ANY });
      const any2 = await store.append('s-any-new', [ev('d')], { streamType: 't', expectedVersion: ANY });
      expect(any1).toMatchObject({ nextExpectedVersion: 4 });
      expect(any2).toMatchObject({ nextExpectedVersion: 1 });
      // A failed append leaves nothing behind.
      expect((await store.readStream('s-exp')).events.map((e) => e.type)).toEqual(['a', 'b', 'c', 'd']);
    });

    it('16 concurrent writers with the same expected version: exactly one wins each version', async () => {
      await store.append('hot', [ev('init')], { streamType: 't', expectedVersion: NO_STREAM });
      const rounds = 5;
      let conflicts = 0;
      for (let round = 0; round < rounds; round++) {
        const expected = round + 1;
        const results = await Promise.allSettled(
          Array.from({ length: 16 }, (_, w) =>
            store.append('hot', [ev('bump', { round, w })], { streamType: 't', expectedVersion: expected }),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(15);
        for (const l of lost) expect(l.reason).toBeInstanceOf(ConcurrencyError);
        conflicts += lost.length;
      }
      const read = await store.readStream('hot');
      expect(read.currentVersion).toBe(rounds + 1);
      expect(read.events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(conflicts).toBe(15 * rounds);
    });
  });

  describe('readAll (gap-safe)', () => {
    it('never skips an event when transactions commit out of order', async () => {
      const fresh = await createTestDatabase(24);
      const s = new PostgresEventStore(fresh.pool, { namedStatements: fresh.backend === 'pg' });
      try {
        const seen: RecordedEvent[] = [];
        let checkpoint: Checkpoint = START_OF_LOG;
        let writing = true;
        const reader = (async () => {
          for (;;) {
            const page = await s.readAll({ after: checkpoint, limit: 7 });
            seen.push(...page.events);
            checkpoint = page.checkpoint;
            if (!writing && page.events.length === 0) {
              // One more read after the writers finished, to drain anything just committed.
              const tail = await s.readAll({ after: checkpoint, limit: 1000 });
              seen.push(...tail.events);
              return;
            }
            await new Promise((r) => setTimeout(r, 3));
          }
        })();

        // The classic bug, for contrast: paging by global_position alone.
        const naiveSeen = new Set<number>();
        const naiveReader = (async () => {
          let last = 0;
          while (writing) {
            const r = await fresh.pool.query(
              'SELECT global_position FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 7',
              [last],
            );
            for (const row of r.rows) naiveSeen.add(Number(row.global_position));
            if (r.rows.length) last = Number(r.rows[r.rows.length - 1].global_position);
            await new Promise((res) => setTimeout(res, 3));
          }
        })();

        // 8 writers; odd ones take their positions early and hold the transaction open before
        // committing, so positions commit out of order.
        const holdMs = fresh.backend === 'pg' ? 150 : 20;
        const writer = async (w: number) => {
          for (let i = 0; i < 6; i++) {
            const client = await fresh.pool.connect();
            try {
              await client.query('BEGIN');
              await s.append(`gap-${w}`, [ev('e', { w, i }), ev('e', { w, i, second: true })], {
                streamType: 'gap',
                expectedVersion: ANY,
                client,
              });
              if (w % 2 === 1) {
                if (fresh.backend === 'pg') await client.query('SELECT pg_sleep($1)', [holdMs / 1000]);
                else await new Promise((r) => setTimeout(r, holdMs));
              }
              await client.query('COMMIT');
            } finally {
              client.release();
            }
          }
        };
        await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
        writing = false;
        await Promise.all([reader, naiveReader]);

        const total = await fresh.pool.query('SELECT count(*)::int AS n FROM events');
        expect(total.rows[0].n).toBe(8 * 6 * 2);
        const ids = seen.map((e) => e.eventId);
        expect(new Set(ids).size).toBe(ids.length); // exactly once
        expect(ids.length).toBe(8 * 6 * 2); // none skipped
        // Checkpoint order: (transactionId, globalPosition) strictly increasing.
        for (let i = 1; i < seen.length; i++) {
          const a = seen[i - 1];
          const b = seen[i];
          const ta = BigInt(a.transactionId);
          const tb = BigInt(b.transactionId);
          expect(ta < tb || (ta === tb && a.globalPosition < b.globalPosition)).toBe(true);
        }
        if (fresh.backend === 'pg') {
          // The scenario really happened: a reader paging by position alone skipped events.
          expect(naiveSeen.size).toBeLessThan(8 * 6 * 2);
        }
      } finally {
        await fresh.close();
      }
    });

    it('orders by transaction id as a number, not as text (xid 99 before xid 812)', async () => {
      // An event of an older transaction id with fewer digits, all nines: numerically before the
      // current ids, but after them in text order ('99' > '812').
      await store.append('xid-order-b', [ev('test.xid-b')], { streamType: 'test', expectedVersion: NO_STREAM });
      const current = (await db.pool.query(`SELECT pg_current_xact_id()::text AS x`)).rows[0].x as string;
      expect(current.length).toBeGreaterThan(1);
      const older = '9'.repeat(current.length - 1);
      expect(older > current || /^9+$/.test(current)).toBe(true); // the text order really differs
      await db.pool.query(
        `INSERT INTO events (event_id, stream_id, stream_version, stream_type, event_type, schema_version, payload, transaction_id)
         VALUES ($1, 'xid-order-a', 1, 'test', 'test.xid-a', 1, '{}', $2::xid8)`,
        [uuidv7(), older],
      );
      const page = await store.readAll({ after: START_OF_LOG, limit: 100, eventTypes: ['test.xid-a', 'test.xid-b'] });
      expect(page.events.map((e) => [e.type, e.transactionId === older])).toEqual([
        ['test.xid-a', true],
        ['test.xid-b', false],
      ]);
    });

    it('filters by event type and workspace and still advances past filtered-out events', async () => {
      const WS2 = uuidv7();
      await store.append('flt-1', [ev('keep.me', { a: 1 }), ev('skip.me')], { streamType: 'f', expectedVersion: ANY, workspaceId: WS2 });
      await store.append('flt-2', [ev('keep.me', { a: 2 })], { streamType: 'f', expectedVersion: ANY, workspaceId: WS });
      const page = await store.readAll({ eventTypes: ['keep.me'], workspaceId: WS2 });
      expect(page.events.map((e) => e.data)).toEqual([{ a: 1 }]);
      const next = await store.readAll({ eventTypes: ['keep.me'], workspaceId: WS2, after: page.checkpoint });
      expect(next.events).toEqual([]);
    });
  });

  describe('immutability and partitions', () => {
    it('rejects UPDATE, DELETE and TRUNCATE on events', async () => {
      await store.append('immut', [ev('x')], { streamType: 't', expectedVersion: ANY });
      await expect(db.pool.query(`UPDATE events SET payload = '{}' WHERE stream_id = 'immut'`)).rejects.toThrow(/immutable/);
      await expect(db.pool.query(`DELETE FROM events WHERE stream_id = 'immut'`)).rejects.toThrow(/immutable/);
      await expect(db.pool.query(`TRUNCATE events`)).rejects.toThrow(/immutable/);
      expect((await store.readStream('immut')).events).toHaveLength(1);
    });

    it('routes an event to the partition of its month and keeps DEFAULT empty', async () => {
      const partitions = new EventPartitions(db.pool);
      const march = new Date(Date.UTC(2031, 2, 15, 12));
      await partitions.ensureAhead(0, march);
      await store.append('routed', [ev('x')], { streamType: 't', expectedVersion: ANY, recordedAt: march });
      const where = await db.pool.query(`SELECT tableoid::regclass::text AS part FROM events WHERE stream_id = 'routed'`);
      expect(where.rows[0].part).toBe('events_y2031m03');
      const list = await partitions.list();
      const mar = list.find((p) => p.name === 'events_y2031m03')!;
      expect(mar).toMatchObject({ from: '2031-03-01T00:00:00.000Z', to: '2031-04-01T00:00:00.000Z', rows: 1, isDefault: false });
      const def = list.find((p) => p.isDefault)!;
      expect(def.rows).toBe(0);
      // The current month and 3 ahead exist from the migration on.
      const now = new Date();
      const current = `events_y${now.getUTCFullYear()}m${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
      expect(list.map((p) => p.name)).toContain(current);
      expect(list.filter((p) => !p.isDefault).length).toBeGreaterThanOrEqual(4);
    });

    it('ensureAhead is idempotent and detachMonth archives only past months', async () => {
      const partitions = new EventPartitions(db.pool);
      const jan = new Date(Date.UTC(2030, 0, 10));
      expect(await partitions.ensureAhead(1, jan)).toEqual(['events_y2030m01', 'events_y2030m02']);
      expect(await partitions.ensureAhead(1, jan)).toEqual([]);
      await store.append('old', [ev('x')], { streamType: 't', expectedVersion: ANY, recordedAt: jan });
      await expect(partitions.detachMonth('2030-01', new Date(Date.UTC(2030, 0, 20)))).rejects.toThrow(/past months/);
      await expect(partitions.detachMonth('2030-13')).rejects.toThrow(/2026-01/);
      const res = await partitions.detachMonth('2030-01', new Date(Date.UTC(2030, 5, 1)));
      expect(res).toEqual({ archivedTable: 'archived_events_y2030m01', rows: 1 });
      expect((await partitions.list()).map((p) => p.name)).not.toContain('events_y2030m01');
      const archived = await db.pool.query('SELECT count(*)::int AS n FROM archived_events_y2030m01');
      expect(archived.rows[0].n).toBe(1);
    });
  });

  describe('upcasting and idempotency', () => {
    it('loads a v1 event as v2 through the upcaster', async () => {
      const v1 = new PostgresEventStore(db.pool, { registry: new EventTypeRegistry().register({ type: 'user.renamed', currentVersion: 1 }) });
      await v1.append('user-9', [ev('user.renamed', { name: 'Ada Lovelace' })], { streamType: 'user', expectedVersion: NO_STREAM });
      const registry = new EventTypeRegistry().register({
        type: 'user.renamed',
        currentVersion: 2,
        upcasters: {
          1: (d: { name: string }) => {
            const [firstName, ...rest] = d.name.split(' ');
            return { firstName, lastName: rest.join(' ') };
          },
        },
      });
      const v2 = new PostgresEventStore(db.pool, { registry });
      const read = await v2.readStream('user-9');
      expect(read.events[0]).toMatchObject({ schemaVersion: 2, data: { firstName: 'Ada', lastName: 'Lovelace' } });
      const raw = await db.pool.query(`SELECT schema_version, payload FROM events WHERE stream_id = 'user-9'`);
      expect(raw.rows[0]).toEqual({ schema_version: 1, payload: { name: 'Ada Lovelace' } }); // the log is untouched
      // New events are written at the current version.
      await v2.append('user-9', [ev('user.renamed', { firstName: 'A', lastName: 'L' })], { streamType: 'user', expectedVersion: 1 });
      const raw2 = await db.pool.query(`SELECT schema_version FROM events WHERE stream_id = 'user-9' ORDER BY stream_version`);
      expect(raw2.rows.map((r) => r.schema_version)).toEqual([1, 2]);
    });

    it('an idempotent retry returns the first result and appends nothing new', async () => {
      const opts = {
        streamType: 'order',
        expectedVersion: ANY,
        workspaceId: WS,
        idempotency: { key: 'key-123', requestHash: 'h1', result: { orderId: 'o-1' } },
      } as const;
      const first = await store.append('order-1', [ev('order.placed')], opts);
      expect(first.duplicate).toBe(false);
      const retries = await Promise.all([1, 2, 3].map(() => store.append('order-1', [ev('order.placed')], opts)));
      for (const r of retries) expect(r).toEqual({ duplicate: true, result: { orderId: 'o-1' }, requestHash: 'h1' });
      expect((await store.readStream('order-1')).events).toHaveLength(1);
      // The same key in another workspace is another command.
      const other = await store.append('order-2', [ev('order.placed')], { ...opts, workspaceId: uuidv7() });
      expect(other.duplicate).toBe(false);
    });

    it('a conflicting append does not consume its idempotency key', async () => {
      await store.append('idem-conf', [ev('a')], { streamType: 't', expectedVersion: NO_STREAM });
      const opts = { streamType: 't', expectedVersion: NO_STREAM, idempotency: { key: 'k-conf', result: 1 } } as const;
      await expect(store.append('idem-conf', [ev('a')], opts)).rejects.toBeInstanceOf(ConcurrencyError);
      const retry = await store.append('idem-conf', [ev('b')], { ...opts, expectedVersion: 1 });
      expect(retry.duplicate).toBe(false);
    });

    it('keeps keys of different scopes (callers, routes) apart, in one workspace and outside workspaces', async () => {
      for (const workspaceId of [WS, null]) {
        const key = `scoped-${uuidv7()}`;
        const a = await store.append(`scoped-a-${key}`, [ev('x')], { streamType: 't', expectedVersion: ANY, workspaceId, idempotency: { key, scope: 'user-a PATCH /api/v1/me', result: 'a' } });
        const b = await store.append(`scoped-b-${key}`, [ev('x')], { streamType: 't', expectedVersion: ANY, workspaceId, idempotency: { key, scope: 'user-b PATCH /api/v1/me', result: 'b' } });
        const again = await store.append(`scoped-b-${key}`, [ev('x')], { streamType: 't', expectedVersion: ANY, workspaceId, idempotency: { key, scope: 'user-b PATCH /api/v1/me', result: 'b2' } });
        expect([a.duplicate, b.duplicate]).toEqual([false, false]);
        expect(again).toMatchObject({ duplicate: true, result: 'b' });
      }
    });

    it('treats an expired key as new, and purges expired keys only', async () => {
      const short = new PostgresEventStore(db.pool, { namedStatements: db.backend === 'pg', idempotencyTtlSeconds: 3600 });
      const key = `ttl-${uuidv7()}`;
      const opts = (result: string) => ({ streamType: 't', expectedVersion: ANY, workspaceId: WS, idempotency: { key, scope: 's', result, requestHash: result } }) as const;
      await short.append(`ttl-${key}`, [ev('x')], opts('first'));
      const ttl = await db.pool.query(`SELECT extract(epoch FROM expires_at - created_at)::float AS s FROM idempotency_keys WHERE idempotency_key = $1`, [key]);
      expect(ttl.rows[0].s).toBeCloseTo(3600, 0);
      expect(await short.append(`ttl-${key}`, [ev('x')], opts('second'))).toMatchObject({ duplicate: true, result: 'first' });
      await db.pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`, [key]);
      expect(await short.append(`ttl-${key}`, [ev('x')], opts('second'))).toMatchObject({ duplicate: false });
      expect(await short.append(`ttl-${key}`, [ev('x')], opts('third'))).toMatchObject({ duplicate: true, result: 'second', requestHash: 'second' });

      const fresh = `fresh-${uuidv7()}`;
      await short.append(`ttl-${fresh}`, [ev('x')], { ...opts('kept'), idempotency: { key: fresh, scope: 's', result: 'kept' } });
      await db.pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`, [key]);
      expect(await short.purgeExpiredIdempotencyKeys()).toBeGreaterThanOrEqual(1);
      const left = await db.pool.query(`SELECT idempotency_key FROM idempotency_keys WHERE idempotency_key = ANY($1)`, [[key, fresh]]);
      expect(left.rows.map((r) => r.idempotency_key)).toEqual([fresh]);
    });

    it("forgets a subject's answers: those they own and those stored for a stream naming them", async () => {
      const subject = uuidv7();
      const [own, about, unrelated] = [`own-${uuidv7()}`, `about-${uuidv7()}`, `unrelated-${uuidv7()}`];
      const append = (stream: string, key: string, ownerId: string | null) =>
        store.append(stream, [ev('x')], { streamType: 't', expectedVersion: ANY, idempotency: { key, scope: 's', ownerId, result: 'r' } });
      await append(`forget-own-${own}`, own, subject);
      await append(`forget-about-${about}`, about, 'someone-else');
      await append(`forget-unrelated-${unrelated}`, unrelated, 'someone-else');
      await db.pool.query(`INSERT INTO data_subject_streams (subject_id, stream_id) VALUES ($1, $2)`, [subject, `forget-about-${about}`]);
      expect(await store.forgetIdempotentAnswersOf(subject)).toBe(2);
      const left = await db.pool.query(`SELECT idempotency_key FROM idempotency_keys WHERE idempotency_key = ANY($1)`, [[own, about, unrelated]]);
      expect(left.rows.map((r) => r.idempotency_key)).toEqual([unrelated]);
    });
  });

  describe('bulk appends return what they wrote', () => {
    /** The log as readAll reads it, for one workspace. */
    const logOf = async (workspaceId: string) => (await store.readAll({ workspaceId, limit: 100 })).events;

    it('appendNewStreams returns the events written, equal to what readAll reads, and only the new streams\' ones', async () => {
      const ws = uuidv7();
      const [a, b, c] = ['a', 'b', 'c'].map((x) => `bulk-${x}-${uuidv7()}`);
      await store.append(a, [ev('bulk.opened', { n: 0 })], { streamType: 'bulk', expectedVersion: NO_STREAM, workspaceId: ws });

      const out = await store.appendNewStreams(
        [
          { streamId: a, events: [ev('bulk.opened', { n: 1 }), ev('bulk.noted', { n: 2 })] },
          { streamId: b, events: [ev('bulk.opened', { n: 3 }), { type: 'bulk.noted', data: { n: 4, nested: { list: [1, 'two'] } }, metadata: { origin: 'import' } }] },
          { streamId: c, events: [{ type: 'bulk.opened', data: { n: 5 }, eventId: uuidv7() }] },
        ],
        { streamType: 'bulk', workspaceId: ws, actorId: 'importer', correlationId: 'req-bulk', causationId: 'job-1' },
      );

      expect(out.created.sort()).toEqual([b, c].sort());
      expect(out.existing).toEqual([a]);
      const log = await logOf(ws);
      // The existing stream kept its one event; the returned events are the rest of the log, field for field.
      expect(log.filter((e) => e.streamId === a).map((e) => e.data)).toEqual([{ n: 0 }]);
      expect(out.events).toEqual(log.filter((e) => e.streamId !== a));
      expect(out.events.map((e) => [e.streamId, e.streamVersion, (e.data as { n: number }).n])).toEqual([
        [b, 1, 3],
        [b, 2, 4],
        [c, 1, 5],
      ]);
      expect(out.events[0]).toMatchObject({ streamType: 'bulk', workspaceId: ws, actorId: 'importer', correlationId: 'req-bulk', causationId: 'job-1', schemaVersion: 1 });
      expect(out.events[1].metadata).toEqual({ origin: 'import' });
      expect(out.events.every((e) => e.globalPosition > 0 && e.eventId !== '' && e.transactionId === out.events[0].transactionId)).toBe(true);

      // A re-run of the same batch writes, and returns, nothing.
      const again = await store.appendNewStreams([{ streamId: b, events: [ev('bulk.opened')] }], { streamType: 'bulk', workspaceId: ws });
      expect(again).toEqual({ created: [], existing: [b], events: [] });
    });

    it('appendToStreams writes an event on each of many streams (new or existing) in one statement and returns them as readAll reads them', async () => {
      const ws = uuidv7();
      const [a, b] = ['a', 'b'].map((x) => `each-${x}-${uuidv7()}`);
      await store.append(a, [ev('each.seen', { n: 0 }), ev('each.seen', { n: 1 })], { streamType: 'each', expectedVersion: NO_STREAM, workspaceId: ws });

      const written = await store.appendToStreams(
        [
          { streamId: a, event: ev('each.seen', { n: 2 }) },
          { streamId: b, event: { type: 'each.seen', data: { n: 3 }, metadata: { m: true } }, correlationId: null, causationId: 'own-cause' },
          { streamId: a, event: ev('each.seen', { n: 4 }) },
        ],
        { streamType: 'each', expectedVersion: ANY, workspaceId: ws, actorId: 'syncer', correlationId: 'req-each', causationId: 'job-2' },
      );

      const log = await logOf(ws);
      expect(written).toEqual(log.slice(2));
      // A stream named twice takes both events, in the order given.
      expect(written.map((e) => [e.streamId, e.streamVersion, (e.data as { n: number }).n])).toEqual([
        [a, 3, 2],
        [b, 1, 3],
        [a, 4, 4],
      ]);
      expect(written[0]).toMatchObject({ actorId: 'syncer', correlationId: 'req-each', causationId: 'job-2' });
      expect(written[1]).toMatchObject({ correlationId: null, causationId: 'own-cause', metadata: { m: true } });
    });

    it('appendToStreams with STREAM_EXISTS fails as a whole on a missing stream, with a ConcurrencyError naming it', async () => {
      const ws = uuidv7();
      const [a, missing] = [`exists-${uuidv7()}`, `missing-${uuidv7()}`];
      await store.append(a, [ev('exists.seen')], { streamType: 'exists', expectedVersion: NO_STREAM, workspaceId: ws });
      const attempt = store.appendToStreams(
        [
          { streamId: a, event: ev('exists.seen') },
          { streamId: missing, event: ev('exists.seen') },
        ],
        { streamType: 'exists', expectedVersion: STREAM_EXISTS, workspaceId: ws },
      );
      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(attempt).rejects.toMatchObject({ streamId: missing, actualVersion: null });
      expect(await logOf(ws)).toHaveLength(1);
    });
  });
});

export type { Pool };
