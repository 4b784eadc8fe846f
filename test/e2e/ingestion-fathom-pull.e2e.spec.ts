import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { MEETINGS_STREAM } from '@modules/ingestion/application/pull-sync/fathom-sync.runner';
import { FakeFathom } from '@test/support/fakes/fathom.fake';
import { SyncJob, syncThroughApi } from '@test/support/pull-sync-client';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const KEYS = `k1:${Buffer.alloc(32, 5).toString('base64')}`;
const WEBHOOK_SECRET = `whsec_${Buffer.from('fathom-pull-webhook-secret-012345').toString('base64')}`;
const HOUR = 3600_000;

/** Issue 18 item 6: Fathom meetings with transcripts pulled since the watermark, beside the webhook. */
describe('ingestion: Fathom meetings pulled (e2e)', () => {
  const fathom = new FakeFathom(2);
  const logLines: string[] = [];
  const keys: string[] = [];
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let owner: SignedUp;
  let ws: string;
  let recording = 5_000_000;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    await fathom.start();
    testApp = await createTestApp({
      env: { SECRETS_KEYS: KEYS, RUN_JOBS: 'true', PULL_SYNC_CRON: '0 0 1 1 *', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', FATHOM_API_BASE_URL: fathom.apiBase, LOG_LEVEL: 'debug' },
      logLines,
    });
    ({ app, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  }, 120_000);
  afterAll(async () => {
    await testApp?.close();
    await fathom.close();
  });

  const source = async (opts: { register?: boolean } = {}) => {
    const apiKey = `fathom-${randomBytes(16).toString('hex')}`;
    keys.push(apiKey);
    if (opts.register !== false) fathom.key(apiKey);
    const res = await http()
      .post(`/api/v1/workspaces/${ws}/sources`)
      .set(owner.auth)
      .send({ kind: 'fathom', name: `Fathom ${randomBytes(3).toString('hex')}`, credentials: { apiToken: apiKey, webhookSecret: WEBHOOK_SECRET } })
      .expect(201);
    return { apiKey, sourceId: res.body.id as string };
  };
  const sync = async (sourceId: string) => {
    const j = await syncThroughApi(http, { workspaceId: ws, auth: owner.auth, sourceId });
    return { ...j, error: j.status === 'failed' ? (j.errors.at(-1)?.errors?.[0]?.message ?? null) : null } as SyncJob;
  };
  const externalIds = async (sourceId: string) =>
    (await pool.query(`SELECT external_id FROM ingestion_messages_view WHERE source_id = $1 ORDER BY external_id`, [sourceId])).rows.map((r) => r.external_id as string);
  const ingested = async (sourceId: string) =>
    (await pool.query(`SELECT payload->>'externalId' AS id, count(*)::int AS n FROM events WHERE event_type = 'ingestion.message-ingested' AND payload->>'sourceId' = $1 GROUP BY 1`, [sourceId])).rows as { id: string; n: number }[];
  const watermark = async (sourceId: string) => (await pool.query(`SELECT cursor_ts, meta FROM ingestion_sync_watermarks WHERE source_id = $1 AND stream = $2`, [sourceId, MEETINGS_STREAM])).rows[0] ?? null;
  const webhook = (sourceId: string, meeting: Record<string, unknown>) => {
    const body = JSON.stringify(meeting);
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const at = new Date();
    return http()
      .post(`/api/v1/webhooks/fathom/${sourceId}`)
      .set('Content-Type', 'application/json')
      .set({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(WEBHOOK_SECRET).sign(id, at, body) })
      .send(body);
  };
  /** The ids the webhook mapper gives a meeting: a message per segment and the summary. */
  const idsOf = (recordingId: number, segments = 3) => [...Array.from({ length: segments }, (_, i) => `${recordingId}:${i}`), `${recordingId}:summary`];

  it('pulls the meetings with transcripts page by page, then only those created since the watermark', async () => {
    const s = await source();
    const now = Date.now();
    const ids = [++recording, ++recording, ++recording];
    ids.forEach((id, i) => fathom.meeting(s.apiKey, id, new Date(now - (10 - i) * HOUR)));
    const from = fathom.requests.length;

    const first = await sync(s.sourceId);
    expect(first).toMatchObject({ status: 'completed', kind: 'sync', format: 'fathom', counters: { stored: 12, errors: 0 } });
    expect(await externalIds(s.sourceId)).toEqual(ids.flatMap((id) => idsOf(id)).sort());
    const requests = fathom.meetingRequests(from);
    // 3 meetings at 2 a page; everything on a first run.
    expect(requests.map((r) => [r.query.cursor !== undefined, r.query.created_after ?? null, r.query.include_transcript])).toEqual([[false, null, 'true'], [true, null, 'true']]);
    expect(requests[0].headers['x-api-key']).toBe(s.apiKey);
    const newest = new Date(now - 8 * HOUR).toISOString().replace(/\.\d{3}Z$/, '.000Z');
    expect(new Date((await watermark(s.sourceId)).cursor_ts).toISOString()).toBe(newest);
    const row = (await pool.query(`SELECT thread_id, title, author_name, author_email, metadata FROM ingestion_messages_view WHERE source_id = $1 AND external_id = $2`, [s.sourceId, `${ids[0]}:1`])).rows[0];
    expect(row).toMatchObject({ thread_id: `fathom:${ids[0]}`, title: `Renewal review ${ids[0]}`, author_name: 'John Smith', author_email: 'john.smith@initech.example', metadata: expect.objectContaining({ kind: 'transcript-segment' }) });

    const later = ++recording;
    fathom.meeting(s.apiKey, later, new Date(now - HOUR));
    const mark = fathom.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 4 } });
    const again = fathom.meetingRequests(mark);
    // Since the newest meeting seen, less the lookback for meetings listed late.
    expect(Date.parse(again[0].query.created_after)).toBe(Date.parse(newest) - 24 * HOUR);
    expect(await externalIds(s.sourceId)).toEqual([...ids, later].flatMap((id) => idsOf(id)).sort());
    expect((await ingested(s.sourceId)).every((x) => x.n === 1)).toBe(true);
  });

  it('a meeting received by webhook and pulled, in either order, is stored once with the same ids', async () => {
    const s = await source();
    const pushedFirst = fathom.meeting(s.apiKey, ++recording, new Date(Date.now() - 2 * HOUR));
    expect((await webhook(s.sourceId, pushedFirst).expect(200)).body).toMatchObject({ stored: 4 });
    const pulledFirst = fathom.meeting(s.apiKey, ++recording, new Date(Date.now() - HOUR));

    const job = await sync(s.sourceId);
    expect(job).toMatchObject({ status: 'completed', counters: { stored: 4 } });
    expect((await webhook(s.sourceId, pulledFirst).expect(200)).body).toMatchObject({ stored: 0, duplicates: 4 });
    expect(await externalIds(s.sourceId)).toEqual([...idsOf(pushedFirst.recording_id), ...idsOf(pulledFirst.recording_id)].sort());
    expect((await ingested(s.sourceId)).map((x) => x.n)).toEqual(new Array(8).fill(1));
  });

  it('a failed page resumes at its cursor on the next run, storing nothing twice; 429 Retry-After is waited', async () => {
    const s = await source();
    for (let i = 0; i < 5; i++) fathom.meeting(s.apiKey, ++recording, new Date(Date.now() - (6 - i) * HOUR), 1);
    fathom.fail({ when: (r) => r.headers['x-api-key'] === s.apiKey && r.query.cursor !== undefined, status: 429, retryAfter: '1' });
    let cursorPages = 0;
    fathom.fail({ when: (r) => r.headers['x-api-key'] === s.apiKey && r.query.cursor !== undefined && ++cursorPages === 2, status: 400, body: { message: 'bad request' } });
    const from = fathom.requests.length;
    const failed = await sync(s.sourceId);
    expect(failed).toMatchObject({ status: 'failed', counters: { stored: 8 } });
    const seen = fathom.meetingRequests(from);
    expect(seen.map((r) => r.status)).toEqual([200, 429, 200, 400]);
    expect(seen[2].at - seen[1].at).toBeGreaterThanOrEqual(1000);
    expect((await watermark(s.sourceId)).meta.walk).toMatchObject({ cursor: seen[3].query.cursor });

    const mark = fathom.requests.length;
    expect(await sync(s.sourceId)).toMatchObject({ status: 'completed', counters: { stored: 2 } });
    expect(fathom.meetingRequests(mark)[0].query.cursor).toBe(seen[3].query.cursor);
    expect(await externalIds(s.sourceId)).toHaveLength(10);
    expect((await ingested(s.sourceId)).every((x) => x.n === 1)).toBe(true);
  });

  it('a refused API key fails the sync with what to do, without Fathom\'s text', async () => {
    const s = await source({ register: false });
    const job = await sync(s.sourceId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/Fathom refused the API key \(401\): check the source's API key/);
    expect(job.error).not.toMatch(/Invalid API key provided/);
    const row = (await http().get(`/api/v1/workspaces/${ws}/sources/${s.sourceId}`).set(owner.auth).expect(200)).body;
    expect(row).toMatchObject({ syncStatus: 'error', syncError: expect.stringMatching(/check the source's API key/) });
  });

  it('the API key is never in an answer, an event, a watermark or a log line', async () => {
    expect(keys.length).toBeGreaterThan(3);
    const answers = JSON.stringify((await http().get(`/api/v1/workspaces/${ws}/sources`).query({ limit: 500 }).set(owner.auth).expect(200)).body);
    const events = (await pool.query(`SELECT payload::text AS p, metadata::text AS m FROM events`)).rows.map((r) => `${r.p} ${r.m}`);
    const marks = (await pool.query(`SELECT meta::text AS m FROM ingestion_sync_watermarks`)).rows.map((r) => r.m);
    expect(logLines.length).toBeGreaterThan(0);
    for (const key of keys) for (const text of [answers, ...events, ...marks, ...logLines]) expect(text.includes(key)).toBe(false);
  });
});
