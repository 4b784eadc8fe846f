import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { eventually } from '@test/support/eventually';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'admin-token-for-tests-0123456789abcdef';
const JOB = 'event-partitions.ensure-ahead';

describe('admin API: scheduled jobs and the job queue (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;

  beforeAll(async () => {
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN, RUN_JOBS: 'true' }, processEnv: { ADMIN_TOKEN: TOKEN } });
    ({ app, pool } = testApp);
  });
  afterAll(() => testApp?.close());

  const admin = () => ({
    get: (url: string) => request(app.getHttpServer()).get(url).set('Authorization', `Bearer ${TOKEN}`),
    post: (url: string) => request(app.getHttpServer()).post(url).set('Authorization', `Bearer ${TOKEN}`),
  });

  it('refuses the scheduled-jobs API without the superuser credential', async () => {
    await request(app.getHttpServer()).get('/api/v1/admin/scheduled-jobs').expect(401);
    await request(app.getHttpServer()).post(`/api/v1/admin/scheduled-jobs/${JOB}/run`).send({}).expect(401);
    await request(app.getHttpServer()).get('/api/v1/admin/jobs').expect(401);
    await request(app.getHttpServer()).get('/api/v1/admin/scheduled-jobs').set('Authorization', 'Bearer nope').expect(401);
  });

  it('lists the partition ensure-ahead job with its schedule and next run', async () => {
    const res = await admin().get('/api/v1/admin/scheduled-jobs').expect(200);
    const job = res.body.items.find((j: any) => j.name === JOB);
    expect(job).toMatchObject({ schedule: '0 3 * * *', enabled: true, description: expect.stringContaining('partitions') });
    const next = new Date(job.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getUTCHours()).toBe(3);
    expect(next.getUTCMinutes()).toBe(0);
    expect((await pool.query(`SELECT schedule FROM scheduled_jobs WHERE name = $1`, [JOB])).rows).toEqual([{ schedule: '0 3 * * *' }]);
  });

  it('runs it on request (202 { jobId }); the run is recorded ok with the partitions it created', async () => {
    // Remove the farthest partition kept ahead (empty, in the future) so the run has one to create.
    const { rows } = await pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass AND c.relname ~ '^events_y\\d{4}m\\d{2}$' ORDER BY c.relname DESC LIMIT 1`,
    );
    const farthest = rows[0].name;
    await pool.query(`DROP TABLE ${farthest}`);

    const res = await admin().post(`/api/v1/admin/scheduled-jobs/${JOB}/run`).send({}).expect(202);
    expect(res.body.jobId).toMatch(/^[0-9a-f-]{36}$/);

    const run = await eventually(async () => {
      const r = await admin().get(`/api/v1/admin/scheduled-jobs/${JOB}/runs`).expect(200);
      const found = r.body.items.find((x: any) => x.jobId === res.body.jobId);
      return found?.status === 'ok' ? found : false;
    }, 15_000, 100);
    expect(run).toMatchObject({ processed: 1, error: null, meta: { trigger: 'manual', slot: null, attempt: 1, created: [farthest] } });
    expect(run.finishedAt).toEqual(expect.any(String));
    expect((await pool.query(`SELECT to_regclass($1) AS t`, [farthest])).rows[0].t).toBe(farthest);

    const list = await admin().get('/api/v1/admin/scheduled-jobs').expect(200);
    expect(list.body.items.find((j: any) => j.name === JOB).lastRun).toMatchObject({ status: 'ok', processed: 1, error: null });

    const jobs = await admin().get(`/api/v1/admin/jobs?queue=scheduled.${JOB}&state=completed&limit=5`).expect(200);
    expect(jobs.body.items).toEqual([
      expect.objectContaining({ id: res.body.jobId, name: `scheduled.${JOB}`, state: 'completed', retryCount: 0, singletonKey: null, output: expect.objectContaining({ processed: 1 }) }),
    ]);
    expect(jobs.body.items[0].createdOn).toEqual(expect.any(String));
    expect(jobs.body.items[0].completedOn).toEqual(expect.any(String));
  });

  it('pages the runs of a job with limit and cursor', async () => {
    await admin().post(`/api/v1/admin/scheduled-jobs/${JOB}/run`).send({}).expect(202);
    await eventually(async () => {
      const r = await admin().get(`/api/v1/admin/scheduled-jobs/${JOB}/runs`).expect(200);
      return r.body.items.length === 2 && r.body.items.every((x: any) => x.status === 'ok');
    }, 15_000, 100);
    const first = await admin().get(`/api/v1/admin/scheduled-jobs/${JOB}/runs?limit=1`).expect(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0].processed).toBe(0); // nothing left to create the second time
    const second = await admin().get(`/api/v1/admin/scheduled-jobs/${JOB}/runs?limit=1&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].processed).toBe(1);
    expect(second.body.nextCursor).toBeNull();
  });

  it('answers 404 problem+json for an unknown scheduled job', async () => {
    const run = await admin().post('/api/v1/admin/scheduled-jobs/no-such-job/run').send({}).expect(404);
    expect(run.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(run.body).toMatchObject({ status: 404, code: 'JOBS.UNKNOWN_JOB', name: 'no-such-job' });
    const runs = await admin().get('/api/v1/admin/scheduled-jobs/no-such-job/runs').expect(404);
    expect(runs.body.code).toBe('JOBS.UNKNOWN_JOB');
  });

  it('answers 400 problem+json for bad query parameters', async () => {
    for (const url of [
      `/api/v1/admin/scheduled-jobs/${JOB}/runs?limit=0`,
      `/api/v1/admin/scheduled-jobs/${JOB}/runs?limit=501`,
      `/api/v1/admin/scheduled-jobs/${JOB}/runs?cursor=garbage!`,
      `/api/v1/admin/scheduled-jobs/${JOB}/runs?cursor=WyJ4IiwieSJd`,
      '/api/v1/admin/jobs?state=exploded',
      '/api/v1/admin/jobs?limit=abc',
      '/api/v1/admin/jobs?colour=red',
    ]) {
      const res = await admin().get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });
});
