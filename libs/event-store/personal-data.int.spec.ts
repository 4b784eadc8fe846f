import { randomBytes } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { NotFoundError } from '@libs/common/errors/application-error';
import { statusForCode } from '@libs/common/http/error-status.registry';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';
import { eventually } from '@test/support/eventually';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { DataSubjects } from './data-subjects';
import { ANY, NO_STREAM, Queryable, RecordedEvent, START_OF_LOG } from './event-store.types';
import { EventTypeRegistry } from './event-type-registry';
import { ERASED, SUBJECT_ERASED_EVENT } from './personal-data';
import { PersonalDataCipher } from './personal-data-cipher';
import { SubjectErasedError } from './personal-data.errors';
import { PostgresEventStore } from './postgres-event-store';

const WS = '0195f0a0-0000-7000-8000-0000000000aa';

/** Counts the statements an append sends, through `client` or through the pool. */
class CountingQueryable implements Queryable {
  statements: string[] = [];
  constructor(private readonly inner: Queryable) {}
  query(text: any, values?: unknown[]): Promise<any> {
    this.statements.push(typeof text === 'string' ? text : text.text);
    return this.inner.query(text, values);
  }
}

function countingPool(pool: Pool): { pool: Pool; statements: string[] } {
  const statements: string[] = [];
  const wrapClient = (c: PoolClient): PoolClient =>
    new Proxy(c, {
      get(target, prop, receiver) {
        if (prop === 'query') {
          return (text: any, values?: unknown[]) => {
            statements.push(typeof text === 'string' ? text : text.text);
            return (target.query as any)(text, values);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  const proxy = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'connect') return async () => wrapClient(await target.connect());
      if (prop === 'query') {
        return (text: any, values?: unknown[]) => {
          statements.push(typeof text === 'string' ? text : text.text);
          return (target.query as any)(text, values);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { pool: proxy, statements };
}

describe('personal data: crypto-shredding in the event store', () => {
  let db: TestDatabase;
  let registry: EventTypeRegistry;
  let box: SecretBox;
  let store: PostgresEventStore;
  let subjects: DataSubjects;

  const ada = {
    userId: 'user-ada',
    email: 'ada.lovelace@example.com',
    firstName: 'Augusta Ada',
    lastName: 'Lovelace',
    phone: '+44 20 7946 0958',
    plan: 'analytical-engine',
    address: { city: 'Marylebone', country: 'GB' },
    contacts: [{ email: 'charles.babbage@example.com', role: 'mentor' }, { email: 'mary.somerville@example.com', role: 'tutor' }],
  };
  const grace = { userId: 'user-grace', email: 'grace.hopper@example.com', firstName: 'Grace', lastName: 'Hopper', plan: 'cobol' };
  const CLEAR_VALUES = [ada.email, ada.firstName, ada.lastName, ada.phone, 'Marylebone', 'charles.babbage', grace.email, 'Hopper'];

  beforeAll(async () => {
    db = await createTestDatabase(8);
    registry = new EventTypeRegistry()
      // v1 had no emailDomain: the upcaster needs the revealed email (upcasters run after revealing).
      .register({
        type: 'identity.user-registered',
        currentVersion: 2,
        upcasters: { 1: (d: any) => ({ ...d, emailDomain: String(d.email).split('@')[1] ?? null }) },
      })
      .personalData('identity.user-registered', {
        subject: 'userId',
        fields: ['email', 'firstName', 'lastName', 'phone', 'address.city', 'contacts.email'],
      })
      .personalData('identity.user-renamed', { subject: 'user.id', fields: ['user.lastName'] });
    box = new SecretBox([{ id: 'k1', key: randomBytes(32) }]);
    store = new PostgresEventStore(db.pool, { registry, namedStatements: db.backend === 'pg', personalData: new PersonalDataCipher(box) });
    subjects = new DataSubjects(db.pool, store);

    await store.append('user-ada', [{ type: 'identity.user-registered', schemaVersion: 1, data: ada }], {
      streamType: 'user',
      expectedVersion: NO_STREAM,
      workspaceId: WS,
      actorId: 'signup',
      correlationId: 'req-ada',
    });
    await store.append(
      'user-ada',
      [
        { type: 'identity.user-renamed', data: { user: { id: 'user-ada', lastName: 'King' }, at: '2026-01-01' } },
        { type: 'identity.user-logged-in', data: { userId: 'user-ada', at: '2026-01-02' } },
      ],
      { streamType: 'user', expectedVersion: 1, workspaceId: WS },
    );
    await store.append('user-grace', [{ type: 'identity.user-registered', data: grace }], { streamType: 'user', expectedVersion: NO_STREAM, workspaceId: WS });
  });
  afterAll(async () => db?.close());

  const payloadsText = async () =>
    (await db.pool.query<{ t: string }>(`SELECT payload::text AS t FROM events ORDER BY global_position`)).rows.map((r) => r.t).join('\n');

  it('stores no personal value in clear: markers instead, the subject id and other values as they were', async () => {
    const text = await payloadsText();
    for (const v of CLEAR_VALUES) expect(text).not.toContain(v);
    expect(text).toContain('"$pii"');
    expect(text).toContain('user-ada');
    expect(text).toContain('analytical-engine');
    expect(text).toContain('mentor');
    const stored = await db.pool.query(`SELECT payload FROM events WHERE stream_id = 'user-ada' AND stream_version = 1`);
    expect(stored.rows[0].payload.email).toEqual({ $pii: 1, s: 'user-ada', c: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/) });
    expect(stored.rows[0].payload.address.country).toBe('GB');

    // Subject keys are wrapped by the SecretBox, never stored raw.
    const keys = await db.pool.query(`SELECT subject_id, key_ciphertext FROM data_subject_keys ORDER BY subject_id`);
    expect(keys.rows.map((r) => r.subject_id)).toEqual(['user-ada', 'user-grace']);
    for (const r of keys.rows) expect(r.key_ciphertext).toMatch(/^v1\.k1\./);
    const streams = await db.pool.query(`SELECT subject_id, stream_id FROM data_subject_streams ORDER BY 1, 2`);
    expect(streams.rows).toEqual([
      { subject_id: 'user-ada', stream_id: 'user-ada' },
      { subject_id: 'user-grace', stream_id: 'user-grace' },
    ]);
  });

  it('readStream, readAll and readEventsByIds reveal the values, and upcasters see them revealed', async () => {
    const read = await store.readStream('user-ada');
    expect(read.events[0].data).toEqual({ ...ada, emailDomain: 'example.com' });
    expect(read.events[0].schemaVersion).toBe(2);
    expect(read.events[0].erasedFields).toBeUndefined();
    expect(read.events[1].data).toEqual({ user: { id: 'user-ada', lastName: 'King' }, at: '2026-01-01' });

    const all = await eventually(async () => {
      const page = await store.readAll({ after: START_OF_LOG, limit: 100 });
      expect(page.events).toHaveLength(4);
      return page.events;
    });
    expect(all.find((e) => e.streamId === 'user-grace')!.data).toEqual(grace);

    const byId = await store.readEventsByIds([read.events[0].eventId]);
    expect((byId[0].data as any).contacts).toEqual(ada.contacts);
  });

  it('keeps an event without personal data to ONE statement, even with personal data declared elsewhere', async () => {
    expect(registry.declaresPersonalData).toBe(true);
    const viaClient = new CountingQueryable(db.pool);
    await store.append('plain-1', [{ type: 'counter.incremented', data: { by: 1 } }], { streamType: 'counter', expectedVersion: ANY, client: viaClient });
    expect(viaClient.statements).toHaveLength(1);
    expect(viaClient.statements[0]).toMatch(/es_append/);

    const counted = countingPool(db.pool);
    const plain = new PostgresEventStore(counted.pool, { registry, namedStatements: db.backend === 'pg', personalData: new PersonalDataCipher(box) });
    await plain.append('plain-2', [{ type: 'counter.incremented', data: { by: 2 } }, { type: 'identity.user-logged-in', data: { userId: 'user-ada' } }], {
      streamType: 'counter',
      expectedVersion: ANY,
    });
    expect(counted.statements).toHaveLength(1);
    expect(counted.statements[0]).toMatch(/es_append/);

    // A declared type pays exactly one more (its subjects' keys), then the same append.
    counted.statements.length = 0;
    await plain.append('user-grace', [{ type: 'identity.user-renamed', data: { user: { id: 'user-grace', lastName: 'Murray' } } }], {
      streamType: 'user',
      expectedVersion: ANY,
    });
    expect(counted.statements).toHaveLength(2);
    expect(counted.statements[0]).toMatch(/data_subject_keys/);
    expect(counted.statements[1]).toMatch(/es_append/);
  });

  it('refuses payloads that carry the reserved "$pii" key, and declared events without their subject', async () => {
    await expect(
      store.append('forged', [{ type: 'note.added', data: { text: { $pii: 1, s: 'user-grace', c: 'AAAA' } } }], { streamType: 'note', expectedVersion: ANY }),
    ).rejects.toThrow(/reserved key/);
    // The string "$pii" as a value is fine.
    await store.append('not-forged', [{ type: 'note.added', data: { text: '$pii' } }], { streamType: 'note', expectedVersion: ANY });
    await expect(
      store.append('no-subject', [{ type: 'identity.user-registered', data: { email: 'x@example.com' } }], { streamType: 'user', expectedVersion: ANY }),
    ).rejects.toThrow(/no data subject at "userId"/);
    expect((await store.readStream('forged')).streamExists).toBe(false);
    expect((await store.readStream('no-subject')).streamExists).toBe(false);
  });

  it('creates a subject key once when first appends race', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.append(`race-${i}`, [{ type: 'identity.user-registered', data: { userId: 'user-race', email: `race${i}@example.com` } }], {
          streamType: 'user',
          expectedVersion: NO_STREAM,
        }),
      ),
    );
    const keys = await db.pool.query(`SELECT count(*)::int AS n FROM data_subject_keys WHERE subject_id = 'user-race'`);
    expect(keys.rows[0].n).toBe(1);
    for (let i = 0; i < 6; i++) expect(((await store.readStream(`race-${i}`)).events[0].data as any).email).toBe(`race${i}@example.com`);
  });

  // The embedded database has one connection: two appends never overlap there.
  const onServer = process.env.TEST_DATABASE_URL ? it : it.skip;
  onServer('reads back a key created by a concurrent first append its statement could not see (PostgreSQL server)', async () => {
    const first = await db.pool.connect();
    try {
      await first.query('BEGIN');
      await store.append('late-1', [{ type: 'identity.user-registered', data: { userId: 'user-late', email: 'late1@example.com' } }], {
        streamType: 'user',
        expectedVersion: NO_STREAM,
        client: first,
      });
      // The second first-append waits on the uncommitted key row, then finds it taken.
      const second = store.append('late-2', [{ type: 'identity.user-registered', data: { userId: 'user-late', email: 'late2@example.com' } }], {
        streamType: 'user',
        expectedVersion: NO_STREAM,
      });
      await eventually(async () => {
        const waiting = await db.pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%data_subject_keys%'`,
        );
        return waiting.rows[0].n === 1;
      });
      await first.query('COMMIT');
      await second;
    } finally {
      first.release();
    }
    expect(((await store.readStream('late-1')).events[0].data as any).email).toBe('late1@example.com');
    expect(((await store.readStream('late-2')).events[0].data as any).email).toBe('late2@example.com');
  });

  describe('erasure', () => {
    let snapshots: SnapshotStore;
    let erasedAt: Date;

    beforeAll(async () => {
      snapshots = new SnapshotStore(db.pool);
      await snapshots.save('user-ada', 'user.v1', 3, { email: ada.email });
      await snapshots.save('user-grace', 'user.v1', 2, { email: grace.email });
      await snapshots.save('user-grace', 'user.v1', 4, { email: grace.email, v: 4 });
      const erased = await subjects.erase('user-ada', { actorId: 'dpo-7', correlationId: 'req-erase-ada', causationId: 'cmd-erase-ada' });
      expect(erased).toMatchObject({ subjectId: 'user-ada', erasedBy: 'dpo-7', alreadyErased: false });
      erasedAt = erased.erasedAt;
    });

    it("reads the subject's values as [erased], names them in erasedFields, and leaves the rest of the event alone", async () => {
      const read = await store.readStream('user-ada');
      const registered = read.events[0];
      expect(registered.data).toEqual({
        ...ada,
        email: ERASED,
        firstName: ERASED,
        lastName: ERASED,
        phone: ERASED,
        address: { city: ERASED, country: 'GB' },
        contacts: [
          { email: ERASED, role: 'mentor' },
          { email: ERASED, role: 'tutor' },
        ],
        // The upcaster ran on the revealed (erased) payload.
        emailDomain: null,
      });
      expect([...registered.erasedFields!].sort()).toEqual(['address.city', 'contacts.email', 'email', 'firstName', 'lastName', 'phone']);
      expect(read.events[1].data).toEqual({ user: { id: 'user-ada', lastName: ERASED }, at: '2026-01-01' });
      expect(read.events[1].erasedFields).toEqual(['user.lastName']);
      expect(read.events[2].erasedFields).toBeUndefined();

      // Another subject is untouched.
      const other = await store.readStream('user-grace');
      expect(other.events[0].data).toEqual(grace);
      expect(other.events[0].erasedFields).toBeUndefined();
    });

    it('still replays the whole log (readAll), with the erasure event in it, by its actor', async () => {
      const events: RecordedEvent[] = await eventually(async () => {
        const page = await store.readAll({ after: START_OF_LOG, limit: 1000 });
        expect(page.events.some((e) => e.type === SUBJECT_ERASED_EVENT)).toBe(true);
        return page.events;
      });
      // A fold over the whole log works: nothing throws, nothing of Ada is readable.
      const emails = events.filter((e) => e.type === 'identity.user-registered').map((e) => (e.data as any).email);
      expect(emails).toContain(ERASED);
      expect(emails).toContain(grace.email);
      expect(JSON.stringify(events.filter((e) => e.streamId === 'user-ada').map((e) => e.data))).not.toMatch(/Lovelace|lovelace|Marylebone|babbage/);

      const erasure = events.find((e) => e.type === SUBJECT_ERASED_EVENT)!;
      expect(erasure).toMatchObject({
        streamId: 'data-subject-user-ada',
        streamType: 'data-subject',
        data: { subjectId: 'user-ada' },
        actorId: 'dpo-7',
        correlationId: 'req-erase-ada',
        causationId: 'cmd-erase-ada',
      });

      const key = await db.pool.query(`SELECT key_ciphertext, erased_at, erased_by FROM data_subject_keys WHERE subject_id = 'user-ada'`);
      expect(key.rows[0]).toEqual({ key_ciphertext: null, erased_at: erasedAt, erased_by: 'dpo-7' });
      // The log itself did not change: still no clear value, still the markers.
      const text = await payloadsText();
      for (const v of CLEAR_VALUES) expect(text).not.toContain(v);
    });

    it('refuses personal data of an erased subject with SubjectErasedError (422), appending nothing', async () => {
      const before = (await store.readStream('user-ada')).currentVersion;
      const attempt = store.append('user-ada', [{ type: 'identity.user-renamed', data: { user: { id: 'user-ada', lastName: 'Byron' } } }], {
        streamType: 'user',
        expectedVersion: ANY,
      });
      await expect(attempt).rejects.toBeInstanceOf(SubjectErasedError);
      await expect(attempt).rejects.toMatchObject({ code: 'PRIVACY.SUBJECT_ERASED', subjectId: 'user-ada' });
      expect(statusForCode('PRIVACY.SUBJECT_ERASED')).toBe(422);
      expect((await store.readStream('user-ada')).currentVersion).toBe(before);
      // Events without personal data still go on the stream.
      await store.append('user-ada', [{ type: 'identity.user-logged-in', data: { userId: 'user-ada' } }], { streamType: 'user', expectedVersion: before });
      expect((await store.readStream('user-ada')).currentVersion).toBe(before + 1);
    });

    it('deletes the snapshots of streams that named the subject, and refuses new ones there', async () => {
      expect(await snapshots.load('user-ada', 'user.v1')).toBeNull();
      // Streams of other subjects keep theirs (and a newer one replaced the older as before).
      expect(await snapshots.load('user-grace', 'user.v1')).toEqual({ version: 4, state: { email: grace.email, v: 4 } });
      await snapshots.save('user-ada', 'user.v1', 9, { email: ada.email });
      expect(await snapshots.load('user-ada', 'user.v1')).toBeNull();
    });

    it('is idempotent, and an unknown subject is a NotFoundError', async () => {
      const again = await subjects.erase('user-ada', { actorId: 'someone-else' });
      expect(again).toEqual({ subjectId: 'user-ada', erasedAt, erasedBy: 'dpo-7', alreadyErased: true });
      expect((await store.readStream('data-subject-user-ada')).currentVersion).toBe(1);
      await expect(subjects.erase('user-nobody', { actorId: 'dpo-7' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await subjects.find('user-nobody')).toBeNull();
      expect(await subjects.find('user-ada')).toMatchObject({ erasedAt, erasedBy: 'dpo-7', streams: ['user-ada'] });
    });

    it('takes effect at once for every reader: keys are looked up per page (only their unwrapping is reused)', async () => {
      // A second store (as in another process): it read Grace in clear, and the first read after the erasure sees it.
      const second = new PostgresEventStore(db.pool, { registry, personalData: new PersonalDataCipher(box) });
      expect(((await second.readStream('user-grace')).events[0].data as any).email).toBe(grace.email);
      await subjects.erase('user-grace', { actorId: 'dpo-7' });
      expect(((await second.readStream('user-grace')).events[0].data as any).email).toBe(ERASED);
    });

    it('a key this process unwrapped is not used once the subject is erased: bulk appends are refused, reads show [erased]', async () => {
      const third = new PostgresEventStore(db.pool, { registry, personalData: new PersonalDataCipher(box) });
      const lin = { ...grace, userId: 'user-lin', email: 'lin@example.com' };
      const registered = (streamId: string) => [{ streamId, events: [{ type: 'identity.user-registered', schemaVersion: 1, data: lin }] }];
      await third.prepareSubjectKeys(registered('user-lin')[0].events);
      await third.appendNewStreams(registered('user-lin'), { streamType: 'user' });
      expect(((await third.readStream('user-lin')).events[0].data as any).email).toBe(lin.email);
      await subjects.erase('user-lin', { actorId: 'dpo-7' });
      await third.prepareSubjectKeys(registered('user-lin-2')[0].events);
      await expect(third.appendNewStreams(registered('user-lin-2'), { streamType: 'user' })).rejects.toBeInstanceOf(SubjectErasedError);
      expect(((await third.readStream('user-lin')).events[0].data as any).email).toBe(ERASED);
    });
  });

  it('bulk appends seal the log and return the values in clear, upcast, as readAll reveals them (for inline projections)', async () => {
    const ws = '0195f0a0-0000-7000-8000-0000000000bb';
    const alan = { ...grace, userId: 'user-alan', email: 'alan.turing@example.com', firstName: 'Alan', lastName: 'Turing' };
    const created = await store.appendNewStreams([{ streamId: 'user-alan', events: [{ type: 'identity.user-registered', schemaVersion: 1, data: alan }] }], {
      streamType: 'user',
      workspaceId: ws,
    });
    const renamed = await store.appendToStreams([{ streamId: 'user-alan', event: { type: 'identity.user-renamed', data: { user: { id: 'user-alan', lastName: 'T.' } } } }], {
      streamType: 'user',
      expectedVersion: ANY,
      workspaceId: ws,
    });

    const stored = await db.pool.query<{ t: string }>(`SELECT payload::text AS t FROM events WHERE stream_id = 'user-alan'`);
    for (const r of stored.rows) expect(r.t).not.toMatch(/alan\.turing|Turing|"T\."/);
    expect(created.events[0].data).toEqual({ ...alan, emailDomain: 'example.com' });
    expect(created.events[0].schemaVersion).toBe(2);
    expect(renamed[0].data).toEqual({ user: { id: 'user-alan', lastName: 'T.' } });
    const log = (await store.readAll({ workspaceId: ws, limit: 10 })).events;
    expect([...created.events, ...renamed]).toEqual(log);
    // appendToStreams links the stream to its subject, as append does (an erasure purges its snapshots).
    expect((await subjects.find('user-alan'))?.streams).toEqual(['user-alan']);
  });
});
