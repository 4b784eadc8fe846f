import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { LeaseManager, WakeUpSignal } from './coordination.port';
import { InProcessLeaseManager, InProcessWakeUpSignal } from './in-process.coordination';
import { PostgresLeaseManager, PostgresWakeUpSignal } from './postgres.coordination';
import { eventually } from '@test/support/eventually';

/** The implementation the app picks for this backend, exactly as DatabaseModule does. */
describe('coordination ports', () => {
  let db: TestDatabase;
  let leasesA: LeaseManager;
  let leasesB: LeaseManager;
  let wakeA: WakeUpSignal;
  let wakeB: WakeUpSignal;

  beforeAll(async () => {
    db = await createTestDatabase(4);
    if (db.backend === 'pg') {
      // Two "processes": separate managers with their own holder ids and LISTEN connections.
      leasesA = new PostgresLeaseManager(db.pool);
      leasesB = new PostgresLeaseManager(db.pool);
      Object.defineProperty(leasesB, 'holderId', { value: 'other-process' });
      wakeA = new PostgresWakeUpSignal(db.pool, db.url, 1);
      wakeB = new PostgresWakeUpSignal(db.pool, db.url, 1);
    } else {
      leasesA = leasesB = new InProcessLeaseManager();
      wakeA = wakeB = new InProcessWakeUpSignal();
    }
  });
  afterAll(async () => {
    await wakeA?.close();
    await wakeB?.close();
    await db?.close();
  });

  it('a lease is held by one holder until it expires, then another takes it over', async () => {
    expect(await leasesA.tryAcquire('consumer-x', 300)).toBe(true);
    expect(await leasesA.tryAcquire('consumer-x', 300)).toBe(true); // renewal
    if (db.backend === 'pg') {
      expect(await leasesB.tryAcquire('consumer-x', 300)).toBe(false);
      await eventually(async () => expect(await leasesB.tryAcquire('consumer-x', 5_000)).toBe(true), 3_000);
      expect(await leasesA.tryAcquire('consumer-x', 300)).toBe(false);
      await leasesB.release('consumer-x');
      expect(await leasesA.tryAcquire('consumer-x', 300)).toBe(true);
    } else {
      const inProc = leasesA as InProcessLeaseManager;
      expect(await inProc.tryAcquire('consumer-x', 300, 'someone-else')).toBe(false);
      await eventually(async () => expect(await inProc.tryAcquire('consumer-x', 5_000, 'someone-else')).toBe(true), 3_000);
    }
  });

  it('a notify wakes subscribers (across connections on PostgreSQL)', async () => {
    let woken = 0;
    const unsubscribe = wakeB.subscribe('test_channel', () => woken++);
    // Give LISTEN a moment to be registered before notifying from the other side.
    await eventually(async () => {
      wakeA.notify('test_channel');
      await new Promise((r) => setTimeout(r, 30));
      expect(woken).toBeGreaterThan(0);
    }, 5_000);
    unsubscribe();
  });
});
