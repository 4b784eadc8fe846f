import { NestExpressApplication } from '@nestjs/platform-express';
import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { Pool } from 'pg';
import request from 'supertest';
import { AppConfig } from '@app/config/app-config';
import { CliModule } from '@app/cli/cli.module';
import { PG_POOL } from '@libs/database/database-backend';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { ChunkEmbeddingWorker } from '@modules/knowledge/application/embeddings/chunk-embedding.worker';
import { EMBEDDING_RETRY_JOB } from '@modules/knowledge/application/embeddings/embedding-retry.schedule';
import { eventually } from '@test/support/eventually';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, createTestAppDatabase, testAppConfig, TestAppDatabase } from '@test/support/test-app';

/** The app restarts on the same database: its secrets must outlive one process. */
const KEYS = `k1:${Buffer.alloc(32, 11).toString('base64')}`;

interface ChunkRow {
  external_id: string;
  text: string;
  embedding_status: 'pending' | 'processing' | 'ready' | 'failed';
  embedding_model: string | null;
  embedding_attempts: number;
  embedding_error: string | null;
  next_attempt_at: Date | null;
  last_embedded_at: Date | null;
  dims: number | null;
}

/**
 * The embedding lifecycle against the fake OpenAI-compatible server: pending -> processing ->
 * ready | failed with attempts, error and backoff; the retry job; the per-workspace cache; and a
 * change of model/dimension, refused until `knowledge reembed` switches the space. The app is
 * restarted on the same database (a data directory on disk for the embedded backend).
 */
describe('knowledge: the embedding lifecycle against an OpenAI-compatible server (e2e)', () => {
  let fake: FakeOpenAiServer;
  let database: TestAppDatabase;
  let app: NestExpressApplication | undefined;
  let owner: SignedUp;
  let ws: string;
  const http = () => request(app!.getHttpServer());
  const pool = () => app!.get<Pool>(PG_POOL);
  const worker = () => app!.get(ChunkEmbeddingWorker);

  const settings = (overrides: Record<string, string>) => ({
    SECRETS_KEYS: KEYS,
    // Workers on (the retry job is run through the queue below); the cron itself never fires here.
    RUN_JOBS: 'true',
    EMBEDDING_RETRY_CRON: '0 0 1 1 *',
    EMBEDDINGS_PROVIDER: 'openai',
    EMBEDDINGS_BASE_URL: fake.baseUrl,
    EMBEDDINGS_API_KEY: 'sk-test',
    EMBEDDING_DIMENSION: '64',
    EMBEDDING_MAX_ATTEMPTS: '3',
    LLM_MAX_RETRIES: '0',
    LLM_TIMEOUT_MS: '400',
    ...overrides,
  });
  const configWith = (overrides: Record<string, string> = {}): AppConfig => testAppConfig(database, settings(overrides));
  const start = async (overrides: Record<string, string> = {}) => {
    app = (await createTestApp({ database, env: settings(overrides) })).app;
  };
  const stop = async () => {
    await app?.close();
    app = undefined;
  };

  const importInto = async (workspace: string, messages: { externalId: string; content: string }[]) => {
    const res = await http()
      .post(`/api/v1/workspaces/${workspace}/messages/import`)
      .set(owner.auth)
      .send({ source: { kind: 'api', name: 'inbox' }, messages: messages.map((m) => ({ ...m, sentAt: '2026-03-02T10:00:00Z' })) })
      .expect(202);
    expect(res.body.accepted).toBe(messages.length);
  };
  const chunks = async (workspace: string, externalIds?: string[]): Promise<ChunkRow[]> =>
    (
      await pool().query(
        `SELECT external_id, "text", embedding_status, embedding_model, embedding_attempts, embedding_error, next_attempt_at, last_embedded_at,
                vector_dims(embedding) AS dims
           FROM knowledge_rag_chunks WHERE workspace_id = $1 AND ($2::text[] IS NULL OR external_id = ANY($2)) ORDER BY external_id, chunk_index`,
        [workspace, externalIds ?? null],
      )
    ).rows;
  const until = (workspace: string, externalIds: string[], status: ChunkRow['embedding_status']) =>
    eventually(
      async () => {
        const rows = await chunks(workspace, externalIds);
        expect(rows.map((r) => [r.external_id, r.embedding_status])).toEqual(externalIds.sort().map((id) => [id, status]));
        return rows;
      },
      20_000,
      50,
    );
  const embeddingInputs = (since: number): string[] => fake.since(since).filter((r) => r.path === '/v1/embeddings').flatMap((r) => (typeof r.body.input === 'string' ? [r.body.input] : r.body.input));

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-test' });
    // The app restarts on it: on the embedded backend a data directory on disk.
    database = await createTestAppDatabase({ onDisk: true });
    await start();
    owner = await signUp(app!);
    ws = await createWorkspace(app!, owner);
  });
  afterAll(async () => {
    await stop();
    await fake?.close();
    await database?.close();
  });

  it('embeds identical text once per workspace (the cache), into the configured dimension, metered to the workspace', async () => {
    const before = fake.requests.length;
    await importInto(ws, [
      { externalId: 'thanks-1', content: 'Thanks, that fixed it!' },
      { externalId: 'thanks-2', content: 'Thanks, that fixed it!' },
      { externalId: 'thanks-3', content: 'Thanks,  that fixed it!\n' },
      { externalId: 'crash', content: 'The export crashes on large reports.' },
      { externalId: 'invoice', content: 'Please resend the March invoice.' },
    ]);
    const rows = await until(ws, ['thanks-1', 'thanks-2', 'thanks-3', 'crash', 'invoice'], 'ready');
    expect(embeddingInputs(before).sort()).toEqual(['Please resend the March invoice.', 'Thanks, that fixed it!', 'The export crashes on large reports.']);
    for (const r of rows) {
      expect(r).toEqual(expect.objectContaining({ embedding_model: 'text-embedding-3-small', embedding_error: null, next_attempt_at: null, dims: 64, last_embedded_at: expect.any(Date) }));
      expect(r.embedding_attempts).toBe(1);
    }
    const request = fake.since(before).find((r) => r.path === '/v1/embeddings')!;
    expect(request.body).toEqual(expect.objectContaining({ model: 'text-embedding-3-small', dimensions: 64 }));

    // Later, the same text again: from the cache, no call (and no attempt counted).
    const after = fake.requests.length;
    await importInto(ws, [{ externalId: 'thanks-4', content: 'Thanks, that fixed it!' }]);
    const [cached] = await until(ws, ['thanks-4'], 'ready');
    expect(embeddingInputs(after)).toEqual([]);
    expect(cached.embedding_attempts).toBe(0);
    const same = await pool().query(`SELECT count(DISTINCT embedding::text)::int AS n FROM knowledge_rag_chunks WHERE workspace_id = $1 AND external_id LIKE 'thanks-%'`, [ws]);
    expect(same.rows[0].n).toBe(1);

    // Another workspace pays for its own: the cache is per workspace.
    const other = await createWorkspace(app!, owner);
    await importInto(other, [{ externalId: 'thanks', content: 'Thanks, that fixed it!' }]);
    await until(other, ['thanks'], 'ready');
    expect(embeddingInputs(after)).toEqual(['Thanks, that fixed it!']);

    const usage = await pool().query(
      `SELECT workspace_id, sum(prompt_tokens)::int AS tokens, count(*)::int AS calls FROM llm_usage_logs
        WHERE workflow_name = 'knowledge.embed-chunks' AND operation = 'embedding' AND status = 'ok' GROUP BY workspace_id`,
    );
    const byWorkspace = new Map(usage.rows.map((r) => [r.workspace_id, r]));
    expect(byWorkspace.get(ws)).toEqual(expect.objectContaining({ calls: 1, tokens: expect.any(Number) }));
    expect(byWorkspace.get(ws).tokens).toBeGreaterThan(0);
    expect(byWorkspace.get(other)).toEqual(expect.objectContaining({ calls: 1 }));
  });

  it('a 429, a 500 and a timeout end in failed with the error, one attempt and a backed-off next attempt; the retry brings them to ready', async () => {
    const failures = [
      { id: 'rate-limited', failure: { status: 429, retryAfterSeconds: 0 }, error: /rate_limited.*429|429.*rate/i },
      { id: 'server-error', failure: { status: 500 }, error: /server.*500|500.*server/i },
      { id: 'timed-out', failure: 'timeout' as const, error: /timeout|timed out/i },
    ];
    for (const f of failures) {
      fake.failNext(1, f.failure, '/v1/embeddings');
      const failedAt = Date.now();
      await importInto(ws, [{ externalId: f.id, content: `Message ${f.id}: the dashboard export shows the wrong totals for ${f.id}.` }]);
      const [row] = await until(ws, [f.id], 'failed');
      expect(row.embedding_error).toMatch(f.error);
      expect(row.embedding_attempts).toBe(1);
      expect(row.dims).toBeNull();
      // Backoff with jitter: between half and all of 30 s for the first retry.
      expect(row.next_attempt_at!.getTime()).toBeGreaterThanOrEqual(failedAt + 14_000);
      expect(row.next_attempt_at!.getTime()).toBeLessThanOrEqual(Date.now() + 31_000);
    }
    const ids = failures.map((f) => f.id);

    // Not due yet: the retry leaves them alone and calls nobody.
    const before = fake.requests.length;
    const early = await worker().retryDue(new Date());
    expect(early).toEqual(expect.objectContaining({ claimed: 0, ready: 0 }));
    expect(fake.since(before)).toEqual([]);

    // Once the backoff has passed (the job's clock a minute ahead), the provider has recovered.
    const retried = await worker().retryDue(new Date(Date.now() + 60_000));
    expect(retried).toEqual(expect.objectContaining({ claimed: 3, ready: 3, failed: 0 }));
    for (const row of await chunks(ws, ids)) {
      expect(row).toEqual(expect.objectContaining({ embedding_status: 'ready', embedding_attempts: 2, embedding_error: null, next_attempt_at: null, dims: 64 }));
    }
    const errors = await pool().query(`SELECT error_kind FROM llm_usage_logs WHERE workspace_id = $1 AND workflow_name = 'knowledge.embed-chunks' AND status = 'error' ORDER BY id`, [ws]);
    expect(errors.rows.map((r) => r.error_kind)).toEqual(['rate_limited', 'server', 'timeout']);
  });

  it(`stays failed after EMBEDDING_MAX_ATTEMPTS, and the scheduled job (${EMBEDDING_RETRY_JOB}) retries what is due`, async () => {
    fake.failNext(3, { status: 503 }, '/v1/embeddings');
    await importInto(ws, [{ externalId: 'hopeless', content: 'A message the provider keeps refusing to embed.' }]);
    await until(ws, ['hopeless'], 'failed');
    await worker().retryDue(new Date(Date.now() + 3600_000));
    const [second] = await chunks(ws, ['hopeless']);
    expect(second).toEqual(expect.objectContaining({ embedding_status: 'failed', embedding_attempts: 2, next_attempt_at: expect.any(Date) }));
    await worker().retryDue(new Date(Date.now() + 2 * 3600_000));
    const [third] = await chunks(ws, ['hopeless']);
    expect(third).toEqual(expect.objectContaining({ embedding_status: 'failed', embedding_attempts: 3, next_attempt_at: null }));
    const before = fake.requests.length;
    await worker().retryDue(new Date(Date.now() + 30 * 86_400_000));
    expect(fake.since(before)).toEqual([]);
    expect((await chunks(ws, ['hopeless']))[0]).toEqual(expect.objectContaining({ embedding_status: 'failed', embedding_attempts: 3 }));

    // The retry job itself, through the job queue: a failure whose backoff has passed comes back ready.
    const jobs = app!.get(ScheduledJobs);
    expect((await jobs.list()).find((j) => j.name === EMBEDDING_RETRY_JOB)).toEqual(expect.objectContaining({ schedule: '0 0 1 1 *', enabled: true }));
    fake.failNext(1, { status: 429 }, '/v1/embeddings');
    await importInto(ws, [{ externalId: 'by-the-job', content: 'Retried by the scheduled job once its backoff passed.' }]);
    await until(ws, ['by-the-job'], 'failed');
    await pool().query(`UPDATE knowledge_rag_chunks SET next_attempt_at = now() - interval '1 second' WHERE workspace_id = $1 AND external_id = 'by-the-job'`, [ws]);
    await jobs.runNow(EMBEDDING_RETRY_JOB);
    await until(ws, ['by-the-job'], 'ready');
    const run = await eventually(async () => {
      const page = await jobs.runs(EMBEDDING_RETRY_JOB, { limit: 1 });
      expect(page.items[0]).toEqual(expect.objectContaining({ status: 'ok' }));
      return page.items[0];
    });
    expect(run.processed).toBeGreaterThanOrEqual(1);
    expect((await chunks(ws, ['hopeless']))[0].embedding_status).toBe('failed');

    // A worker that died mid-batch leaves chunks 'processing': the retry hands them back after a while.
    await pool().query(
      `UPDATE knowledge_rag_chunks SET embedding_status = 'processing', embedding = NULL, updated_at = now() - interval '1 hour' WHERE workspace_id = $1 AND external_id = 'crash'`,
      [ws],
    );
    const stale = await worker().retryDue();
    expect(stale).toEqual(expect.objectContaining({ released: 1, ready: 1, cached: 1 }));
    expect((await chunks(ws, ['crash']))[0]).toEqual(expect.objectContaining({ embedding_status: 'ready', dims: 64 }));
  });

  it('a large backlog is embedded with the HNSW index dropped and built again after (the bulk path), and semantic search still finds it', async () => {
    const indexOid = async () => (await pool().query(`SELECT to_regclass('knowledge_rag_chunks_embedding_idx')::oid::text AS oid`)).rows[0].oid as string | null;
    const before = await indexOid();
    expect(before).not.toBeNull();
    // A backlog as after an import: the workspace's chunks waiting again (their vectors come from the cache).
    const requeued = await pool().query(`UPDATE knowledge_rag_chunks SET embedding = NULL, embedding_status = 'pending' WHERE workspace_id = $1 AND embedding_status = 'ready'`, [ws]);
    expect(requeued.rowCount).toBeGreaterThan(2);

    const summary = await worker().embedPending({ bulkFrom: 2 });
    expect(summary).toEqual(expect.objectContaining({ ready: requeued.rowCount, failed: 0 }));
    const after = await indexOid();
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    for (const r of await chunks(ws)) if (r.embedding_status === 'ready') expect(r.dims).toBe(64);
    const res = await http().get(`/api/v1/workspaces/${ws}/search`).query({ q: 'The export crashes on large reports.', mode: 'semantic', limit: 3 }).set(owner.auth).expect(200);
    expect(res.body.items[0].message.externalId).toBe('crash');

    // A backlog under the threshold keeps the index (incremental inserts).
    await pool().query(`UPDATE knowledge_rag_chunks SET embedding = NULL, embedding_status = 'pending' WHERE workspace_id = $1 AND external_id = 'crash'`, [ws]);
    expect(await worker().embedPending()).toEqual(expect.objectContaining({ ready: 1 }));
    expect(await indexOid()).toBe(after);
  });

  it('a changed model or dimension is never mixed with stored vectors: semantic search answers 409 naming the CLI until `knowledge reembed` re-embeds everything', async () => {
    const count = async (sql: string) => (await pool().query(sql)).rows[0].n as number;
    const total = await count(`SELECT count(*)::int AS n FROM knowledge_rag_chunks`);
    await stop();
    await start({ EMBEDDING_DIMENSION: '32' });

    for (const mode of ['semantic', 'hybrid']) {
      const res = await http().get(`/api/v1/workspaces/${ws}/search`).query({ q: 'export totals', mode }).set(owner.auth).expect(409);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toEqual(expect.objectContaining({ code: 'KNOWLEDGE.EMBEDDING_MODEL_CHANGED', detail: expect.stringContaining('npm run cli -- knowledge reembed') }));
    }
    const text = await http().get(`/api/v1/workspaces/${ws}/search`).query({ q: 'export totals', mode: 'fulltext' }).set(owner.auth).expect(200);
    expect(text.body.items.length).toBeGreaterThan(0);

    // New messages are chunked but not embedded into the old space.
    const before = fake.requests.length;
    await importInto(ws, [{ externalId: 'while-mismatched', content: 'Arrived while the embedding model was being changed.' }]);
    await until(ws, ['while-mismatched'], 'pending');
    expect(await worker().embedPending()).toEqual(expect.objectContaining({ mismatched: true, claimed: 0 }));
    expect(embeddingInputs(before)).toEqual([]);
    expect((await chunks(ws, ['thanks-1']))[0].dims).toBe(64);
    await stop();

    // The CLI, as `npm run cli -- knowledge status | reembed` runs it (same module, in this process).
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
      const context = await CommandFactory.createWithoutRunning(CliModule.forRoot(configWith({ EMBEDDING_DIMENSION: '32', RUN_JOBS: 'false' })), { logger: false });
      try {
        await context.get(CommandRunnerService).run(['node', 'cli', 'knowledge', ...args]);
      } finally {
        write.mockRestore();
        await context.close();
      }
      return JSON.parse(out.join(''));
    };
    const status = await cli('status');
    expect(status.space).toEqual({
      stored: { provider: 'openai', model: 'text-embedding-3-small', dimension: 64 },
      configured: { provider: 'openai', model: 'text-embedding-3-small', dimension: 32 },
      matches: false,
    });
    expect(status.chunks).toEqual(expect.objectContaining({ total: total + 1, pending: 1 }));

    const summary = await cli('reembed', '--batch', '4');
    expect(process.exitCode ?? 0).toBe(0);
    expect(summary).toEqual(
      expect.objectContaining({
        to: { provider: 'openai', model: 'text-embedding-3-small', dimension: 32 },
        chunks: total + 1,
        ready: total + 1,
        failed: 0,
        counts: expect.objectContaining({ ready: total + 1, pending: 0, failed: 0, total: total + 1 }),
      }),
    );
    expect((await cli('status')).space.matches).toBe(true);
    // `rechunk` (the rebuild of chunks): the consumer starts over; the app replays the log when it starts.
    expect(await cli('rechunk')).toEqual(expect.objectContaining({ consumer: 'knowledge.chunking', eventsProcessedBefore: expect.any(Number) }));

    await start({ EMBEDDING_DIMENSION: '32' });
    const snapshot = async () => (await pool().query(`SELECT id, text_hash, embedding::text AS embedding FROM knowledge_rag_chunks ORDER BY id`)).rows;
    const reembeddedRows = await snapshot();
    await eventually(async () => {
      const r = await pool().query(`SELECT last_pos FROM subscription_checkpoints WHERE name = 'knowledge.chunking'`);
      const head = await pool().query(`SELECT max(global_position) AS p FROM events WHERE event_type LIKE 'ingestion.message-%'`);
      expect(Number(r.rows[0].last_pos)).toBeGreaterThanOrEqual(Number(head.rows[0].p));
    }, 20_000);
    // Same chunk ids, vectors kept: the replay changed nothing and embedded nothing.
    expect(await snapshot()).toEqual(reembeddedRows);
    // Identical texts once per workspace, all in the new dimension.
    expect(embeddingInputs(before)).toHaveLength(await count(`SELECT count(DISTINCT (workspace_id, text_hash))::int AS n FROM knowledge_rag_chunks`));
    for (const r of fake.since(before).filter((r) => r.path === '/v1/embeddings')) expect(r.body.dimensions).toBe(32);
    for (const row of await chunks(ws)) expect(row).toEqual(expect.objectContaining({ embedding_status: 'ready', dims: 32, embedding_attempts: expect.any(Number) }));
    const found = await http().get(`/api/v1/workspaces/${ws}/search`).query({ q: 'export crashes large reports', mode: 'semantic', limit: 3 }).set(owner.auth).expect(200);
    expect(found.body.items[0].message.externalId).toBe('crash');
    await http().get(`/api/v1/workspaces/${ws}/search`).query({ q: 'export crashes large reports', mode: 'hybrid' }).set(owner.auth).expect(200);
  });
});
