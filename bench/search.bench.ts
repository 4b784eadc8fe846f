import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { createApp } from '@app/bootstrap';
import { loadAppConfig } from '@app/config/app-config';
import { OfflineHashingEmbedder } from '@libs/ai/offline/offline-hashing.embedder';
import { countTokens } from '@libs/ai/text/tokens';
import { DatabaseBackendKind, PG_POOL } from '@libs/database/database-backend';
import { toVectorLiteral } from '@libs/database/vector-literal';
import { chunkTextHash, normaliseChunkText } from '@modules/knowledge/domain/chunking/message-chunker';
import { KnowledgeSearch, SearchMode } from '@modules/knowledge/contracts';
import { ChunkEmbeddingWorker } from '@modules/knowledge/application/embeddings/chunk-embedding.worker';
import { EF_SEARCH_MIN, HNSW_INDEX_OPTIONS } from '@modules/knowledge/infrastructure/knowledge-search.queries';
import { api, postStream } from './bench-http';
import { Bench, BenchOptions, emit, log, openBackend, positiveInt, percentile, round, selectedBackends } from './harness';
import { corpusMessage, corpusQuery } from './search-corpus';

/**
 * The knowledge search figures (issue 7) on generated conversation messages
 * (bench/search-corpus.ts: ~30 product areas, varied wording with names, numbers, codes and
 * context clauses, so vectors cluster as real ones do), one chunk each, 384-dimensional vectors
 * from the offline embedder. The load (BENCH_SEARCH_LOAD):
 * - `direct` (default): straight into the chunk table as the chunking consumer writes it, the
 *   HNSW index built afterwards;
 * - `pipeline`: NDJSON through the import API, then the chunking consumer and the embedding
 *   worker until every chunk is ready and in the HNSW index (a backlog this large takes the
 *   worker's bulk path: index dropped, vectors written, index built again); freshness, measured
 *   at the end of the same run, shows single messages still take the incremental path.
 * Then:
 * - `offline-embedding-*`: the embedder alone, chunks/s on one core;
 * - `hnsw-build`: the HNSW index dropped and built again (HNSW_INDEX_OPTIONS);
 * - `hnsw-recall-at-10`: the app's semantic search (HNSW) against exact search (index scans off)
 *   for the same query vectors;
 * - `search-{fulltext,semantic,hybrid}`: GET /search through HTTP, one request at a time, p50/p95;
 * - `freshness`: one message imported through the API until semantic search returns it, p95
 *   (the chunking consumer and the embedding worker run as in production).
 *
 * env: BENCH_SEARCH_MESSAGES (pg default 200000; embedded default 20000; smoke 1000/500),
 * BENCH_SEARCH_QUERIES (default 200; smoke 30), BENCH_SEARCH_LOAD=direct|pipeline, BENCH_SEARCH_BULK_FROM
 * (the worker's bulk threshold, default BULK_BACKLOG).
 */

const PASSWORD = 'correct horse battery staple';

function* ndjson(messages: number, offset = 0): Generator<string> {
  let chunk = '';
  for (let i = offset; i < offset + messages; i++) {
    const m = corpusMessage(i);
    chunk += `${JSON.stringify({ externalId: `s-${i}`, content: m.content, sentAt: m.sentAt, author: { name: m.author, externalId: m.author }, channel: m.channel })}\n`;
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(latencies: number[]) {
  const sorted = Float64Array.from(latencies).sort();
  return { p50_ms: round(percentile(sorted, 50), 2), p95_ms: round(percentile(sorted, 95), 2), max_ms: round(sorted[sorted.length - 1] ?? 0, 2) };
}

/** The offline embedder alone: chunks/s on this process's one core. */
async function embedderThroughput(texts: string[]): Promise<number> {
  const embedder = new OfflineHashingEmbedder(384);
  const ctx = { workspaceId: null, workflow: 'bench', node: 'embed' };
  await embedder.embed(texts.slice(0, 200), ctx); // warm-up (JIT)
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i += 64) await embedder.embed(texts.slice(i, i + 64), ctx);
  return texts.length / seconds(t0);
}

/**
 * The load through the product: NDJSON import, the chunking consumer and the embedding worker
 * (incremental HNSW inserts) until every chunk is ready. Returns the number of chunks.
 */
async function loadThroughPipeline(port: number, token: string, ws: string, pool: Pool, messages: number, smoke: boolean, base: Record<string, unknown>): Promise<number> {
  log(`search: importing ${messages} messages through the API`);
  const t0 = process.hrtime.bigint();
  const res = await postStream(port, `/api/v1/workspaces/${ws}/messages/import?sourceKind=api&sourceName=bench`, token, Readable.from(ndjson(messages)));
  if (res.status !== 202) throw new Error(`import answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`);
  const importSeconds = seconds(t0);
  let chunks = 0;
  let allEmbedded: number | undefined;
  for (let lastLog = 0; ; ) {
    const r = await pool.query(
      `SELECT (SELECT count(*)::int FROM ingestion_messages_view WHERE workspace_id = $1) AS stored,
              count(*)::int AS chunks, count(*) FILTER (WHERE embedding_status = 'ready')::int AS ready,
              count(DISTINCT message_id)::int AS chunked, to_regclass('knowledge_rag_chunks_embedding_idx') IS NOT NULL AS indexed
         FROM knowledge_rag_chunks WHERE workspace_id = $1`,
      [ws],
    );
    const row = r.rows[0];
    const embedded = row.chunked >= row.stored && row.stored >= messages && row.ready === row.chunks;
    if (embedded && allEmbedded === undefined) allEmbedded = seconds(t0);
    // Searchable: embedded and in the HNSW index (the worker's bulk path drops it and builds it again).
    if (embedded && row.indexed) {
      chunks = row.chunks;
      break;
    }
    if (seconds(t0) - lastLog > 15) {
      lastLog = seconds(t0);
      log(`  ${Math.round(lastLog)} s: ${row.chunked}/${messages} messages chunked, ${row.ready}/${row.chunks} chunks ready, HNSW index ${row.indexed ? 'present' : 'dropped (bulk)'}`);
    }
    // Each poll counts the whole table: often enough for a load of minutes, rare enough not to slow it.
    await sleep(smoke ? 250 : 1_000);
  }
  const allReady = seconds(t0);
  emit({ ...base, case: 'load-import-to-all-ready', value: round(chunks / allReady, 1), unit: 'chunks/s', messages, chunks, import_s: round(importSeconds, 1), all_embedded_s: round(allEmbedded ?? allReady, 1), all_ready_s: round(allReady, 1), target: '>= 2000 chunks/s' });

  return chunks;
}

/**
 * The load straight into the chunk table, as the chunking consumer writes it (same columns,
 * same tsvector), one chunk per message, vectors from the offline embedder in this process, the
 * HNSW index dropped during the load (it is built, and timed, next). Minutes faster than the
 * pipeline at 200k (whose incremental HNSW inserts dominate), and the table is the same.
 */
async function loadDirectly(pool: Pool, ws: string, messages: number, base: Record<string, unknown>): Promise<number> {
  log(`search: loading ${messages} chunks directly`);
  await pool.query('DROP INDEX IF EXISTS knowledge_rag_chunks_embedding_idx');
  const embedder = new OfflineHashingEmbedder(384);
  const source = randomUUID();
  const t0 = process.hrtime.bigint();
  let embedSeconds = 0;
  for (let from = 0; from < messages; from += 2_000) {
    const batch = Array.from({ length: Math.min(2_000, messages - from) }, (_, k) => corpusMessage(from + k));
    const e0 = process.hrtime.bigint();
    const vectors = await embedder.embed(batch.map((m) => normaliseChunkText(m.content)), { workspaceId: ws, workflow: 'bench', node: 'embed' });
    embedSeconds += seconds(e0);
    await pool.query(
      `INSERT INTO knowledge_rag_chunks (id, workspace_id, message_id, chunk_index, "text", text_hash, content_tokens, source_id, source_kind,
                                         channel_id, channel_name, author_name, external_id, sent_at, search_vector,
                                         embedding, embedding_status, embedding_model, last_embedded_at)
       SELECT gen_random_uuid(), $1, gen_random_uuid(), 0, t, h, n, $2, 'api', c, c, a, x, at, to_tsvector('english', t), v::vector, 'ready', 'offline-hashing-v1', now()
         FROM unnest($3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[]) AS r(t, h, n, c, a, x, at, v)`,
      [
        ws,
        source,
        batch.map((m) => m.content),
        batch.map((m) => chunkTextHash(m.content)),
        batch.map((m) => countTokens(m.content)),
        batch.map((m) => m.channel),
        batch.map((m) => m.author),
        batch.map((m) => `s-${m.index}`),
        batch.map((m) => m.sentAt),
        vectors.map(toVectorLiteral),
      ],
    );
    if (from % 50_000 === 0 && from > 0) log(`  ${from}/${messages}`);
  }
  await pool.query('ANALYZE knowledge_rag_chunks');
  emit({ ...base, case: 'load-direct', value: round(messages / seconds(t0), 1), unit: 'chunks/s', chunks: messages, embed_s: round(embedSeconds, 1), seconds: round(seconds(t0), 1) });
  return messages;
}

async function runBackend(kind: DatabaseBackendKind, smoke: boolean): Promise<void> {
  const messages = positiveInt('BENCH_SEARCH_MESSAGES', kind === 'pg' ? (smoke ? 1_000 : 200_000) : smoke ? 500 : 20_000);
  const queries = positiveInt('BENCH_SEARCH_QUERIES', smoke ? 30 : 200);
  const base = { bench: 'search', backend: kind, smoke };

  const backend = kind === 'pg' ? await openBackend('pg') : undefined;
  let app: NestExpressApplication | undefined;
  try {
    const config = loadAppConfig({
      ...(backend ? { DATABASE_URL: (backend.pool as any).options.connectionString as string } : {}),
      DATA_DIR: 'memory://',
      LOG_LEVEL: 'silent',
      RUN_JOBS: 'false',
      RUN_SUBSCRIPTIONS: 'true',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      // A 200k pipeline load takes longer than the default 15-minute access token.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
    });
    app = await createApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    app.getHttpServer().requestTimeout = 0;
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const pool = app.get<Pool>(PG_POOL);
    // The backlog from which the embedding worker drops the HNSW index (its bulk path); lowered to try the path at small sizes.
    if (process.env.BENCH_SEARCH_BULK_FROM) app.get(ChunkEmbeddingWorker).bulkBacklog = positiveInt('BENCH_SEARCH_BULK_FROM', 0);
    const user = await api<{ accessToken: string }>(port, 'POST', '/api/v1/auth/signup', { email: `bench-${Date.now()}@example.com`, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    const token = user.accessToken;
    const ws = (await api<{ id: string }>(port, 'POST', '/api/v1/workspaces', { name: 'Search bench' }, token)).id;

    // The embedder alone, before the load competes for the CPU.
    // Whole chunks (~200 tokens, the default chunk size: long messages, call transcripts) and the
    // corpus' own messages (most are one short chunk).
    const full: string[] = [];
    for (let i = 0, text = ''; full.length < (smoke ? 500 : 5_000); i++) {
      text = text ? `${text} ${corpusMessage(i).content}` : corpusMessage(i).content;
      if (countTokens(text) >= 200) {
        full.push(text);
        text = '';
      }
    }
    emit({ ...base, case: 'offline-embedding-200-token-chunks', value: round(await embedderThroughput(full), 0), unit: 'chunks/s', dimension: 384, chunks: full.length, cores: 1, target: '>= 3000 chunks/s' });
    const sample = Array.from({ length: smoke ? 2_000 : 20_000 }, (_, i) => corpusMessage(i).content);
    emit({ ...base, case: 'offline-embedding-messages', value: round(await embedderThroughput(sample), 0), unit: 'chunks/s', dimension: 384, chunks: sample.length, mean_tokens: round(sample.reduce((n, t) => n + countTokens(t), 0) / sample.length, 1), cores: 1 });

    const loadMode = process.env.BENCH_SEARCH_LOAD ?? 'direct';
    if (loadMode !== 'direct' && loadMode !== 'pipeline') throw new Error(`BENCH_SEARCH_LOAD: direct or pipeline, got "${loadMode}"`);
    const chunks = loadMode === 'pipeline' ? await loadThroughPipeline(port, token, ws, pool, messages, smoke, base) : await loadDirectly(pool, ws, messages, base);

    // Index build time on the loaded table.
    await pool.query('DROP INDEX IF EXISTS knowledge_rag_chunks_embedding_idx');
    const client = await pool.connect();
    let buildSeconds: number;
    try {
      if (kind === 'pg') await client.query(`SET maintenance_work_mem = '1GB'`);
      const b0 = process.hrtime.bigint();
      await client.query(`CREATE INDEX knowledge_rag_chunks_embedding_idx ON knowledge_rag_chunks USING hnsw (embedding vector_cosine_ops) WITH (${HNSW_INDEX_OPTIONS})`);
      buildSeconds = seconds(b0);
      if (kind === 'pg') await client.query('RESET maintenance_work_mem');
    } finally {
      client.release();
    }
    await pool.query('ANALYZE knowledge_rag_chunks');
    emit({ ...base, case: 'hnsw-build', value: round(buildSeconds, 2), unit: 's', chunks, dimension: 384, options: HNSW_INDEX_OPTIONS });

    // Recall of the app's semantic search (HNSW) against exact search, same query vectors. The
    // generated corpus has many chunks at the same distance (one template, other names), so
    // besides the ids we count a hit as correct when it is as near as the exact 10th one.
    const search = app.get(KnowledgeSearch);
    const embedder = new OfflineHashingEmbedder(384);
    const qs = Array.from({ length: queries }, (_, i) => corpusQuery(i));
    let sameIds = 0;
    let asNear = 0;
    let expected = 0;
    for (const q of qs) {
      const approx = await search.search({ workspaceId: ws, q, mode: 'semantic', limit: 10 });
      const [vector] = await embedder.embed([normaliseChunkText(q)], { workspaceId: null, workflow: 'bench', node: 'exact' });
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('SET LOCAL enable_indexscan = off');
        await c.query('SET LOCAL enable_bitmapscan = off');
        const exact = await c.query<{ id: string; d: number }>(
          `SELECT id, embedding <=> $2::vector AS d FROM knowledge_rag_chunks WHERE workspace_id = $1 AND embedding_status = 'ready' ORDER BY embedding <=> $2::vector LIMIT 10`,
          [ws, toVectorLiteral(vector)],
        );
        await c.query('COMMIT');
        const ids = new Set(exact.rows.map((r) => r.id));
        const tenth = Number(exact.rows[exact.rows.length - 1]?.d ?? 0);
        expected += exact.rows.length;
        sameIds += approx.filter((h) => ids.has(h.chunkId)).length;
        asNear += Math.min(exact.rows.length, approx.filter((h) => 1 - (h.similarity ?? 0) <= tenth + 1e-6).length);
      } finally {
        c.release();
      }
    }
    emit({ ...base, case: 'hnsw-recall-at-10', value: round(asNear / Math.max(1, expected), 4), unit: 'recall', same_ids: round(sameIds / Math.max(1, expected), 4), queries, chunks, ef_search: `max(${EF_SEARCH_MIN}, 2 x limit)`, target: '>= 0.95' });

    // Latency through HTTP, one request at a time, after a warm-up.
    for (const mode of ['fulltext', 'semantic', 'hybrid'] as SearchMode[]) {
      for (const q of qs.slice(0, 10)) await api(port, 'GET', `/api/v1/workspaces/${ws}/search?mode=${mode}&limit=10&q=${encodeURIComponent(q)}`, undefined, token);
      const latencies: number[] = [];
      let hits = 0;
      for (const q of qs) {
        const s0 = process.hrtime.bigint();
        const body = await api<{ items: unknown[] }>(port, 'GET', `/api/v1/workspaces/${ws}/search?mode=${mode}&limit=10&q=${encodeURIComponent(q)}`, undefined, token);
        latencies.push(seconds(s0) * 1000);
        hits += body.items.length;
      }
      const s = stats(latencies);
      emit({ ...base, case: `search-${mode}`, value: s.p95_ms, unit: 'ms', ...s, queries, chunks, mean_hits: round(hits / qs.length, 1), ...(mode === 'hybrid' ? { target: 'p95 < 40 ms' } : {}) });
    }

    // Freshness: a new message until semantic search returns it (chunked and embedded).
    const samples = smoke ? 5 : 20;
    const fresh: number[] = [];
    for (let i = 0; i < samples; i++) {
      const m = corpusMessage(10_000_000 + i);
      const content = `${m.content} (ticket ${i})`;
      const f0 = process.hrtime.bigint();
      const imported = await api<{ accepted: number }>(port, 'POST', `/api/v1/workspaces/${ws}/messages/import`, { source: { kind: 'api', name: 'bench' }, messages: [{ externalId: `fresh-${i}`, content, sentAt: new Date().toISOString(), author: { name: m.author } }] }, token);
      if (imported.accepted !== 1) throw new Error(`freshness import accepted ${imported.accepted}`);
      for (;;) {
        const body = await api<{ items: { message: { externalId: string } }[] }>(port, 'GET', `/api/v1/workspaces/${ws}/search?mode=semantic&limit=5&q=${encodeURIComponent(content)}`, undefined, token);
        if (body.items.some((h) => h.message.externalId === `fresh-${i}`)) break;
        if (seconds(f0) > 60) {
          const state = await pool.query(`SELECT embedding_status, embedding_error, embedding IS NOT NULL AS has_vector FROM knowledge_rag_chunks WHERE workspace_id = $1 AND external_id = $2`, [ws, `fresh-${i}`]);
          throw new Error(`a fresh message was not searchable within 60 s (its chunks: ${JSON.stringify(state.rows)})`);
        }
        await sleep(20);
      }
      fresh.push(seconds(f0) * 1000);
    }
    const fs = stats(fresh);
    emit({ ...base, case: 'freshness', value: fs.p95_ms, unit: 'ms', ...fs, samples, target: 'p95 < 2000 ms' });
  } finally {
    await app?.close();
    await backend?.close();
  }
}

export const searchBench: Bench = {
  name: 'search',
  async run({ smoke }: BenchOptions) {
    for (const kind of selectedBackends()) await runBackend(kind, smoke);
  },
};
