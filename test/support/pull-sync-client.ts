import type request from 'supertest';
import { eventually } from './eventually';

/** A pull-sync job as GET /jobs/:jobId answers it. */
 
export type SyncJob = Record<string, any>;

/**
 * Starts a sync of a pulled source through the API and waits for its job to end (completed or
 * failed): the e2e tests of every pulled kind (Chatwoot, Gong, IMAP, Slack history) drive syncs so.
 * The previous run's lease goes a moment after its job ended, so a 409 then is retried.
 */
export async function syncThroughApi(
  http: () => ReturnType<typeof request>,
  target: { workspaceId: string; auth: Record<string, string>; sourceId: string },
  timeoutMs = 60_000,
): Promise<SyncJob> {
  const { workspaceId, auth, sourceId } = target;
  const res = await eventually(async () => {
    const r = await http().post(`/api/v1/workspaces/${workspaceId}/sources/${sourceId}/sync`).set(auth);
    if (r.status === 409) return false;
    expect(r.status).toBe(202);
    return r;
  }, 5_000, 50);
  expect(res.body).toEqual({ jobId: expect.any(String) });
  return eventually(async () => {
    const j = (await http().get(`/api/v1/workspaces/${workspaceId}/jobs/${res.body.jobId}`).set(auth).expect(200)).body as SyncJob;
    return j.status === 'running' ? false : j;
  }, timeoutMs, 100);
}
