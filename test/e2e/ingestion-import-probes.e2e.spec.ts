import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportProbes, probeImport, timeMethod, BusyClock } from '@bench/import-probes';
import { writeMailCorpus } from '@bench/mail-corpus';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * The mail-import bench times an import from inside the app (bench/import-probes.ts) by wrapping
 * the message writer, its event store and the import job aggregate. Those are named by hand: when
 * the job became a bound aggregate (an object with `handle`), the bench wrapped the object itself
 * and every POST /imports of the bench answered 500. Here the probes run on a real upload of the
 * bench's own kind of mbox: the import must still work, and the probes must count it.
 */
describe('ingestion: the mail-import bench probes on a real import (e2e)', () => {
  let testApp: TestApp | undefined;
  let owner: SignedUp;
  let ws: string;
  let dir: string;
  let probes: ImportProbes;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'import-probes-e2e-'));
    testApp = await createTestApp();
    owner = await signUp(testApp.app);
    ws = await createWorkspace(testApp.app, owner);
    probes = probeImport(testApp.app);
  });
  afterAll(async () => {
    await testApp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an mbox upload with the probes installed is accepted, completes, and every probe counts its calls', async () => {
    const path = join(dir, 'archive.mbox');
    const stats = writeMailCorpus(path, 60, 20240601);
    const res = await testApp!.http().post(`/api/v1/workspaces/${ws}/imports`).set(owner.auth).attach('file', readFileSync(path), 'archive.mbox');
    expect(res.status).toBe(202);
    const job = await eventually(async () => {
      const r = await testApp!.http().get(`/api/v1/workspaces/${ws}/jobs/${res.body.jobId}`).set(owner.auth).expect(200);
      return r.body.status === 'running' ? false : r.body;
    }, 30_000, 50);
    expect(job).toMatchObject({ status: 'completed', counters: { fetched: 60, stored: 60 - stats.repeatedMessageIds, skipped: stats.repeatedMessageIds, errors: 0 } });

    expect(probes.write.calls).toBe(job.counters.batches);
    expect(probes.append.calls).toBeGreaterThanOrEqual(job.counters.batches);
    // The job's start (in the request), a batch event per batch, and its completion.
    expect(probes.jobEvents.calls).toBeGreaterThanOrEqual(job.counters.batches + 2);
    expect(probes.completedAt()).toBeGreaterThan(0);
    expect(probes.databaseSide.busySeconds).toBeGreaterThan(0);
  });

  it('timeMethod refuses what is not a method instead of replacing it with a wrapper', () => {
    const target = { job: { handle: async () => 1 }, run: async (n: number) => n * 2 };
    expect(() => timeMethod(target, 'job', new BusyClock())).toThrow(/job is not a method/);
    expect(typeof target.job.handle).toBe('function');
  });
});
