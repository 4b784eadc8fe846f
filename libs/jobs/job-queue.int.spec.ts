import { eventually } from '@test/support/eventually';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { JobQueue, SqlPool } from './job-queue';

/** pg-boss 10 through the app's pool, on the embedded PGlite (default) or PostgreSQL (TEST_DATABASE_URL). */
describe('JobQueue (pg-boss on the app pool)', () => {
  let db: TestDatabase;
  let queue: JobQueue;
  let flakyPool: SqlPool;
  let failNextCompletion = false;

  beforeAll(async () => {
    db = await createTestDatabase(4);
    // The app's pool, with a switch that makes the next "job completed" write fail once.
    flakyPool = {
      query: ((text: any, values?: any) => {
        if (failNextCompletion && typeof text === 'string' && /SET completed_on = now\(\),\s+state = 'completed'/.test(text)) {
          failNextCompletion = false;
          return Promise.reject(new Error('connection terminated unexpectedly'));
        }
        return db.pool.query(text, values);
      }) as SqlPool['query'],
    };
    queue = new JobQueue(flakyPool, { workers: true, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, shutdownTimeoutMs: 2000 });
    // Queues defined after start-up are created on the spot (define() works before and after).
    await queue.start();
  });
  afterAll(async () => {
    await queue?.stop();
    await db?.close();
  });

  const job = async (name: string, id: string) => (await queue.getJob(name, id))!;

  it('retries a failing job with exponential backoff, then completes it', async () => {
    const attempts: { at: number; retryCount: number }[] = [];
    queue.define<{ n: number }>(
      'test.backoff',
      async (j) => {
        attempts.push({ at: Date.now(), retryCount: j.retryCount });
        if (attempts.length < 3) throw new Error(`attempt ${attempts.length} failed`);
        return { doubled: j.data.n * 2 };
      },
      { retryLimit: 3, retryDelay: 1, retryBackoff: true },
    );
    const id = (await queue.enqueue('test.backoff', { n: 21 }))!;
    const done = await eventually(async () => ((await job('test.backoff', id)).state === 'completed' ? job('test.backoff', id) : false), 20_000, 100);

    expect(done.retryCount).toBe(2);
    expect(done.output).toEqual({ doubled: 42 });
    expect(attempts.map((a) => a.retryCount)).toEqual([0, 1, 2]);
    // retryDelay 1 s with backoff: the 1st retry waits 1-2 s, the 2nd 2-4 s (jitter).
    const firstGap = attempts[1].at - attempts[0].at;
    const secondGap = attempts[2].at - attempts[1].at;
    expect(firstGap).toBeGreaterThanOrEqual(900);
    expect(secondGap).toBeGreaterThanOrEqual(1900);
  });

  it('ends a job that always fails as failed after retryLimit retries, with the error as output', async () => {
    let attempts = 0;
    queue.define(
      'test.always-fails',
      async () => {
        attempts++;
        throw new Error('upstream said no');
      },
      { retryLimit: 2, retryDelay: 0 },
    );
    const id = (await queue.enqueue('test.always-fails', {}))!;
    const failed = await eventually(async () => ((await job('test.always-fails', id)).state === 'failed' ? job('test.always-fails', id) : false), 15_000, 100);
    expect(failed.retryCount).toBe(2);
    expect(failed.output).toMatchObject({ message: 'upstream said no' });
    // Nothing runs after the job failed for good.
    await new Promise((r) => setTimeout(r, 1200));
    expect(attempts).toBe(3);
  });

  it('queues one job per singletonKey (short policy) and per key and time slot (throttle)', async () => {
    queue.define('test.short', async () => undefined, { policy: 'short' });
    // Far in the future, so the first job stays queued while the second is sent.
    const first = await queue.enqueue('test.short', { v: 1 }, { singletonKey: 'ws-1', startAfter: 3600 });
    const duplicate = await queue.enqueue('test.short', { v: 2 }, { singletonKey: 'ws-1', startAfter: 3600 });
    const otherKey = await queue.enqueue('test.short', { v: 3 }, { singletonKey: 'ws-2', startAfter: 3600 });
    expect(first).toEqual(expect.any(String));
    expect(duplicate).toBeNull();
    expect(otherKey).toEqual(expect.any(String));
    expect((await queue.listJobs({ queue: 'test.short', limit: 10 })).map((j) => j.singletonKey).sort()).toEqual(['ws-1', 'ws-2']);

    queue.define('test.throttled', async () => undefined);
    const a = await queue.enqueue('test.throttled', {}, { singletonKey: 'sync', singletonSeconds: 300, startAfter: 3600 });
    const b = await queue.enqueue('test.throttled', {}, { singletonKey: 'sync', singletonSeconds: 300, startAfter: 3600 });
    expect(a).toEqual(expect.any(String));
    expect(b).toBeNull();
  });

  it('treats a job id that is already queued as a duplicate', async () => {
    queue.define('test.by-id', async () => undefined);
    const id = '0b8f6a52-5d1e-4c43-9a51-2f7c1a6e9d10';
    expect(await queue.enqueue('test.by-id', {}, { id, startAfter: 3600 })).toBe(id);
    expect(await queue.enqueue('test.by-id', {}, { id, startAfter: 3600 })).toBeNull();
    expect(await queue.listJobs({ queue: 'test.by-id', limit: 10 })).toHaveLength(1);
  });

  it('expires a handler that outlives expireInSeconds (its signal aborts) and retries the job', async () => {
    const seen: { retryCount: number; aborted: boolean }[] = [];
    queue.define(
      'test.expiring',
      async (j) => {
        if (j.retryCount === 0) {
          // Hangs until the job expires.
          await new Promise<void>((resolve) => j.signal.addEventListener('abort', () => resolve()));
          seen.push({ retryCount: 0, aborted: j.signal.aborted });
          return 'too late';
        }
        seen.push({ retryCount: j.retryCount, aborted: j.signal.aborted });
        return 'second time lucky';
      },
      { expireInSeconds: 1, retryLimit: 1, retryDelay: 0 },
    );
    const id = (await queue.enqueue('test.expiring', {}))!;
    const done = await eventually(async () => ((await job('test.expiring', id)).state === 'completed' ? job('test.expiring', id) : false), 15_000, 100);
    expect(done.retryCount).toBe(1);
    expect(done.output).toEqual({ value: 'second time lucky' });
    expect(seen).toEqual(expect.arrayContaining([{ retryCount: 0, aborted: true }, { retryCount: 1, aborted: false }]));
  });

  it('survives a failed completion write (no unhandled rejection): the job expires and is retried', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      let runs = 0;
      queue.define(
        'test.lost-completion',
        async () => {
          runs++;
          return { run: runs };
        },
        { expireInSeconds: 1, retryLimit: 2, retryDelay: 0 },
      );
      failNextCompletion = true;
      const id = (await queue.enqueue('test.lost-completion', {}))!;
      // Maintenance (every second here) fails the job left active; the retry completes it.
      const done = await eventually(async () => ((await job('test.lost-completion', id)).state === 'completed' ? job('test.lost-completion', id) : false), 20_000, 100);
      expect(failNextCompletion).toBe(false);
      expect(runs).toBe(2);
      expect(done.output).toEqual({ run: 2 });
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('refuses to enqueue an undefined job', async () => {
    await expect(queue.enqueue('test.nope', {})).rejects.toThrow('Job "test.nope" is not defined');
  });
});
