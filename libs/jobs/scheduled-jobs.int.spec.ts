import { SchedulerRegistry } from '@nestjs/schedule';
import { Pool } from 'pg';
import { eventually } from '@test/support/eventually';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { JobQueue } from './job-queue';
import { UnknownJobError } from './jobs.errors';
import { ScheduledJobDefinition, ScheduledJobs, slotOf } from './scheduled-jobs';

/**
 * Two "processes": two JobQueue (two pg-boss instances) and two ScheduledJobs on one database.
 * On PostgreSQL each has its own pool; on the embedded PGlite they share the one connection,
 * as two instances in one process would (the embedded mode is single-process by design).
 */
interface Proc {
  queue: JobQueue;
  scheduled: ScheduledJobs;
  registry: SchedulerRegistry;
  pool: Pool;
}

describe('ScheduledJobs (once across processes, recorded in worker_runs)', () => {
  let db: TestDatabase;
  let extraPool: Pool | undefined;
  let a: Proc;
  let b: Proc;
  const calls: Record<string, number> = {};

  const proc = (pool: Pool, crons: boolean, workers = true): Proc => {
    const queue = new JobQueue(pool, { workers, pollingIntervalSeconds: 0.5, shutdownTimeoutMs: 2000 });
    const registry = new SchedulerRegistry();
    return { queue, registry, pool, scheduled: new ScheduledJobs(pool, queue, registry, { crons }) };
  };

  /** The same job registered in both processes, as every app process registers it. */
  const registerBoth = (def: Omit<ScheduledJobDefinition, 'run'> & { run?: ScheduledJobDefinition['run'] }) => {
    for (const p of [a, b]) {
      p.scheduled.register({
        ...def,
        run:
          def.run ??
          (async () => {
            calls[def.name] = (calls[def.name] ?? 0) + 1;
            // Long enough that the other process would have picked a second job up, had there been one.
            await new Promise((r) => setTimeout(r, 300));
            return { processed: 7, meta: { source: 'test' } };
          }),
      });
    }
  };

  const runRows = async (name: string) =>
    (await db.pool.query(`SELECT * FROM worker_runs WHERE job_name = $1 ORDER BY started_at`, [name])).rows;

  beforeAll(async () => {
    db = await createTestDatabase(4);
    extraPool = db.backend === 'pg' ? new Pool({ connectionString: db.url, max: 4 }) : undefined;
    a = proc(db.pool, false);
    b = proc(extraPool ?? db.pool, false);
    registerBoth({ name: 'test.same-slot', cron: '0 3 * * *', description: 'runs once per slot' });
    registerBoth({
      name: 'test.failing',
      cron: '0 4 * * *',
      run: async () => {
        throw new Error('the upstream API answered 503');
      },
    });
    registerBoth({
      name: 'test.disabled',
      cron: '0 5 * * *',
      run: async () => ({ processed: 1 }),
    });
    // Both start at once, as processes of one deploy do (pg-boss schema install races included).
    await Promise.all([a.scheduled.start(), b.scheduled.start()]);
  });
  afterAll(async () => {
    for (const p of [a, b]) {
      p?.scheduled.stop();
      await p?.queue.stop();
    }
    await extraPool?.end();
    await db?.close();
  });

  it('runs a slot once when both processes tick it: one job, one worker_runs row, status ok', async () => {
    const at = new Date('2031-05-01T03:00:00.120Z');
    const late = new Date('2031-05-01T03:00:00.870Z'); // the other process ticks a little later
    const [ja, jb] = await Promise.all([a.scheduled.tick('test.same-slot', at), b.scheduled.tick('test.same-slot', late)]);
    expect([ja, jb].filter(Boolean)).toHaveLength(1);

    const row = await eventually(async () => {
      const rows = await runRows('test.same-slot');
      return rows.length === 1 && rows[0].status === 'ok' ? rows[0] : false;
    }, 15_000, 100);
    expect(row.processed_count).toBe(7);
    expect(row.meta).toEqual({ trigger: 'schedule', slot: '2031-05-01T03:00:00.000Z', attempt: 1, source: 'test' });
    expect(row.job_id).toBe(ja ?? jb);
    expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    // Give both workers time to pick up a second job if one existed.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runRows('test.same-slot')).toHaveLength(1);
    expect(calls['test.same-slot']).toBe(1);
    expect(await a.queue.listJobs({ queue: ScheduledJobs.queueName('test.same-slot'), limit: 10 })).toHaveLength(1);
    // A later slot is another run.
    await Promise.all([a.scheduled.tick('test.same-slot', new Date('2031-05-02T03:00:00Z')), b.scheduled.tick('test.same-slot', new Date('2031-05-02T03:00:00Z'))]);
    await eventually(async () => (await runRows('test.same-slot')).filter((r) => r.status === 'ok').length === 2, 15_000, 100);
    expect(calls['test.same-slot']).toBe(2);
  });

  it('records a failing run as failed with its error', async () => {
    await Promise.all([a.scheduled.tick('test.failing', new Date('2031-05-01T04:00:10Z')), b.scheduled.tick('test.failing', new Date('2031-05-01T04:00:11Z'))]);
    const row = await eventually(async () => {
      const rows = await runRows('test.failing');
      return rows[0]?.status === 'failed' ? rows[0] : false;
    }, 15_000, 100);
    expect(row.error).toBe('the upstream API answered 503');
    expect(row.processed_count).toBe(0);
    expect(row.finished_at).toBeInstanceOf(Date);
    const [job] = await a.queue.listJobs({ queue: ScheduledJobs.queueName('test.failing'), limit: 10 });
    expect(job.state).toBe('failed');
    expect(await runRows('test.failing')).toHaveLength(1);

    const [info] = (await a.scheduled.list()).filter((j) => j.name === 'test.failing');
    expect(info.lastRun).toMatchObject({ status: 'failed', error: 'the upstream API answered 503', processed: 0 });
  });

  it('lists registered jobs with schedule, description, last run and next run; pages runs with a cursor', async () => {
    await eventually(async () => (await runRows('test.same-slot')).filter((r) => r.status === 'ok').length === 2, 15_000, 100);
    const items = await b.scheduled.list();
    expect(items.map((i) => i.name)).toEqual(['test.disabled', 'test.failing', 'test.same-slot']);
    const same = items.find((i) => i.name === 'test.same-slot')!;
    expect(same).toMatchObject({ schedule: '0 3 * * *', description: 'runs once per slot', enabled: true, lastRun: { status: 'ok', processed: 7, error: null } });
    expect(new Date(same.nextRunAt!).getUTCHours()).toBe(3);
    expect(new Date(same.nextRunAt!).getTime()).toBeGreaterThan(Date.now());

    const manual = await a.scheduled.runNow('test.same-slot');
    await eventually(async () => (await runRows('test.same-slot')).length === 3 && (await runRows('test.same-slot')).every((r) => r.status === 'ok'), 15_000, 100);
    const first = await a.scheduled.runs('test.same-slot', { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.items[0]).toMatchObject({ jobId: manual, status: 'ok', processed: 7, meta: { trigger: 'manual', slot: null, attempt: 1 } });
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await a.scheduled.runs('test.same-slot', { limit: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(new Set(all.map((r) => r.id)).size).toBe(3);
    expect(all.map((r) => r.meta.slot)).toEqual([null, '2031-05-02T03:00:00.000Z', '2031-05-01T03:00:00.000Z']);
    await expect(a.scheduled.runs('test.same-slot', { limit: 2, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('skips the ticks of a job an operator disabled, and knows no unregistered name', async () => {
    await db.pool.query(`UPDATE scheduled_jobs SET enabled = false WHERE name = 'test.disabled'`);
    expect(await a.scheduled.tick('test.disabled', new Date('2031-05-01T05:00:00Z'))).toBeNull();
    expect(await a.queue.listJobs({ queue: ScheduledJobs.queueName('test.disabled'), limit: 10 })).toHaveLength(0);
    expect((await a.scheduled.list()).find((j) => j.name === 'test.disabled')).toMatchObject({ enabled: false, nextRunAt: null, lastRun: null });

    await expect(a.scheduled.runNow('test.nope')).rejects.toBeInstanceOf(UnknownJobError);
    await expect(a.scheduled.runs('test.nope', { limit: 10 })).rejects.toMatchObject({ code: 'JOBS.UNKNOWN_JOB' });
  });

  it('with real crons in both processes (every second), runs each slot exactly once', async () => {
    const name = 'test.every-second';
    const c = proc(db.pool, true);
    const d = proc(extraPool ?? db.pool, true);
    for (const p of [c, d]) {
      p.scheduled.register({ name, cron: '* * * * * *', run: async (ctx) => ({ processed: 1, meta: { by: p === c ? 'c' : 'd', slotSeen: ctx.slot } }) });
    }
    await Promise.all([c.scheduled.start(), d.scheduled.start()]);
    try {
      expect(c.registry.getCronJob(`scheduled-job:${name}`)).toBeDefined();
      await eventually(async () => (await runRows(name)).filter((r) => r.status === 'ok').length >= 3, 20_000, 100);
    } finally {
      c.scheduled.stop();
      d.scheduled.stop();
    }
    await eventually(async () => (await runRows(name)).every((r) => r.status !== 'running'), 10_000, 100);
    const rows = await runRows(name);
    const slots = rows.map((r) => r.meta.slot);
    expect(new Set(slots).size).toBe(rows.length);
    for (const r of rows) expect(r.meta.slotSeen).toBe(r.meta.slot);
    const jobs = await c.queue.listJobs({ queue: ScheduledJobs.queueName(name), limit: 100 });
    expect(jobs).toHaveLength(rows.length);
    await c.queue.stop();
    await d.queue.stop();
  });

  it('lets a process without workers (RUN_JOBS=false) queue a manual run that a worker process runs', async () => {
    const name = 'test.http-only';
    const httpOnly = proc(db.pool, false, false);
    const worker = proc(extraPool ?? db.pool, false, true);
    let ran = 0;
    const run = async () => {
      ran++;
      return { processed: 3 };
    };
    httpOnly.scheduled.register({ name, cron: '0 6 * * *', run });
    await httpOnly.scheduled.start();
    try {
      const jobId = await httpOnly.scheduled.runNow(name);
      await new Promise((r) => setTimeout(r, 1200));
      expect(ran).toBe(0);
      expect((await httpOnly.queue.getJob(ScheduledJobs.queueName(name), jobId))!.state).toBe('created');

      worker.scheduled.register({ name, cron: '0 6 * * *', run });
      await worker.scheduled.start();
      const row = await eventually(async () => (await runRows(name)).find((r) => r.status === 'ok') ?? false, 15_000, 100);
      expect(row).toMatchObject({ job_id: jobId, processed_count: 3 });
      expect(ran).toBe(1);
    } finally {
      await httpOnly.queue.stop();
      await worker.queue.stop();
    }
  });

  it('unregisters a job registered at run time and registers it again with another cron, on the same queue', async () => {
    const name = 'test.re-registered';
    const p = proc(extraPool ?? db.pool, false, true);
    const runs: string[] = [];
    await p.scheduled.start();
    try {
      p.scheduled.register({ name, cron: '0 4 * * *', run: async () => void runs.push('first') });
      await p.scheduled.settled(name);
      expect((await p.scheduled.list()).map((j) => [j.name, j.schedule])).toEqual([[name, '0 4 * * *']]);
      expect(await p.scheduled.unregister(name)).toBe(true);
      expect(await p.scheduled.unregister(name)).toBe(false);
      expect(p.scheduled.registered(name)).toBeNull();
      expect((await db.pool.query(`SELECT 1 FROM scheduled_jobs WHERE name = $1`, [name])).rows).toHaveLength(0);
      await expect(p.scheduled.runNow(name)).rejects.toBeInstanceOf(UnknownJobError);

      p.scheduled.register({ name, cron: '15 5 * * *', run: async () => void runs.push('second') });
      expect(p.scheduled.registered(name)).toEqual({ cron: '15 5 * * *' });
      await p.scheduled.settled(name);
      expect((await p.scheduled.list()).map((j) => [j.name, j.schedule])).toEqual([[name, '15 5 * * *']]);
      const jobId = await p.scheduled.runNow(name);
      await eventually(async () => (await runRows(name)).find((r) => r.job_id === jobId && r.status === 'ok') ?? false, 15_000, 100);
      // The run is the definition registered now.
      expect(runs).toEqual(['second']);
    } finally {
      await p.queue.stop();
    }
  });

  it('floors a tick to its slot: the minute for 5-field crons, the second for 6-field ones', () => {
    expect(slotOf(new Date('2031-01-01T03:00:59.999Z'), '0 3 * * *').toISOString()).toBe('2031-01-01T03:00:00.000Z');
    expect(slotOf(new Date('2031-01-01T03:00:07.450Z'), '*/5 * * * * *').toISOString()).toBe('2031-01-01T03:00:07.000Z');
  });

  it('refuses a bad cron or a name registered twice', () => {
    const p = proc(db.pool, false);
    expect(() => p.scheduled.register({ name: 'test.bad', cron: 'every day', run: async () => undefined })).toThrow(/Invalid cron/);
    p.scheduled.register({ name: 'test.twice', cron: '0 1 * * *', run: async () => undefined });
    expect(() => p.scheduled.register({ name: 'test.twice', cron: '0 1 * * *', run: async () => undefined })).toThrow(/already registered/);
  });
});
