import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AiProviderError } from '@libs/ai/ai-call';
import { LlmUsageMeter } from '@libs/ai/metering/llm-usage-meter';
import { MeteredEmbedder } from '@libs/ai/metering/metered.embedder';
import { MeteredLlmClient } from '@libs/ai/metering/metered-llm.client';
import { PriceTable } from '@libs/ai/metering/price-table';
import { OfflineHashingEmbedder } from '@libs/ai/offline/offline-hashing.embedder';
import { NOT_FOUND_ANSWER } from '@libs/ai/offline/offline-text-engine';
import { countTokens } from '@libs/ai/text/tokens';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { OpenAiEmbedder, OpenAiEmbedderSettings } from './openai.embedder';
import { NO_ANSWER_SENTINEL, OpenAiLlmClient, OpenAiLlmSettings } from './openai-llm.client';

const WORKSPACE = '6f1c2b7e-2d1a-4c36-9a53-0f1b5c8f2a11';
const KEY = 'sk-test';

/**
 * The OpenAI-compatible adapters against a local fake server, metered into llm_usage_logs on a
 * real database: what is sent, what comes back, how each failure is mapped and recorded.
 */
describe('OpenAI-compatible adapters (fake server, metered)', () => {
  let db: TestDatabase;
  let fake: FakeOpenAiServer;
  let meter: LlmUsageMeter;
  let workflowSeq = 0;

  beforeAll(async () => {
    db = await createTestDatabase(4);
    fake = await FakeOpenAiServer.start({ apiKey: KEY });
    meter = new LlmUsageMeter(db.pool, new PriceTable());
  });
  afterAll(async () => {
    await fake?.close();
    await db?.close();
  });

  /** A fresh workflow name per call site, so each test reads only its own rows. */
  const newCtx = (node = 'step') => ({ workspaceId: WORKSPACE, workflow: `test.openai-${++workflowSeq}`, node });
  const rowsOf = async (workflow: string) => {
    await meter.flush();
    return (await db.pool.query(`SELECT * FROM llm_usage_logs WHERE workflow_name = $1 ORDER BY id`, [workflow])).rows;
  };
  const embedder = (s: Partial<OpenAiEmbedderSettings> = {}) =>
    new MeteredEmbedder(new OpenAiEmbedder({ baseUrl: fake.baseUrl, apiKey: KEY, dimension: 64, timeoutMs: 3000, maxRetries: 0, ...s }, { baseDelayMs: 5 }), meter);
  const llm = (s: Partial<OpenAiLlmSettings> = {}) => new MeteredLlmClient(new OpenAiLlmClient({ baseUrl: fake.baseUrl, apiKey: KEY, model: 'gpt-4o-mini', timeoutMs: 3000, maxRetries: 0, ...s }, { baseDelayMs: 5 }), meter);
  const failure = async (call: Promise<unknown>): Promise<AiProviderError> => {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AiProviderError);
    return err as AiProviderError;
  };

  describe('OpenAiEmbedder', () => {
    it('embeds in input order at the configured dimension, unit length, and meters tokens and cost', async () => {
      const ctx = newCtx('embed');
      const texts = ['How do I export to CSV?', 'Exporting data as CSV', 'Lunch on Friday'];
      const before = fake.requests.length;
      const vectors = await embedder().embed(texts, ctx);

      const reference = new OfflineHashingEmbedder(64);
      expect(vectors).toHaveLength(3);
      vectors.forEach((v, i) => {
        expect(v).toHaveLength(64);
        expect(Math.hypot(...v)).toBeCloseTo(1, 9);
        Array.from(reference.vector(texts[i])).forEach((x, k) => expect(v[k]).toBeCloseTo(x, 9));
      });
      const [sent] = fake.since(before);
      expect(sent.path).toBe('/v1/embeddings');
      expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(sent.body).toEqual({ model: 'text-embedding-3-small', input: texts, encoding_format: 'float', dimensions: 64 });

      const tokens = texts.reduce((n, t) => n + countTokens(t), 0);
      const [row] = await rowsOf(ctx.workflow);
      expect(row).toMatchObject({ workspace_id: WORKSPACE, node_name: 'embed', provider: 'openai', model: 'text-embedding-3-small', operation: 'embedding', status: 'ok', error_kind: null, prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens });
      expect(row.cost).toBeCloseTo((tokens * 0.02) / 1e6, 15);
      expect(row.latency_ms).toBeGreaterThanOrEqual(0);
    });

    it('puts vectors back in input order by `index`, whatever order the server lists them in', async () => {
      // A server that lists the embeddings last input first, with unnormalised one-hot vectors.
      const shuffling = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const inputs: string[] = JSON.parse(Buffer.concat(chunks).toString()).input;
          const data = inputs.map((_, index) => ({ object: 'embedding', index, embedding: Array.from({ length: 64 }, (_x, k) => (k === index ? 3 : 0)) })).reverse();
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ object: 'list', model: 'm', data, usage: { prompt_tokens: 3, total_tokens: 3 } }));
        });
      });
      await new Promise<void>((resolve) => shuffling.listen(0, '127.0.0.1', resolve));
      try {
        const vectors = await embedder({ baseUrl: `http://127.0.0.1:${(shuffling.address() as AddressInfo).port}/v1` }).embed(['a', 'b', 'c'], newCtx());
        vectors.forEach((v, i) => expect(v.indexOf(1)).toBe(i));
      } finally {
        await new Promise((resolve) => shuffling.close(resolve));
      }
    });

    it('sends no `dimensions` when none is configured and expects 1536', async () => {
      const e = embedder({ dimension: undefined });
      expect(e.dimension).toBe(1536);
      const before = fake.requests.length;
      const [v] = await e.embed(['hello world'], newCtx());
      expect(v).toHaveLength(1536);
      expect(fake.since(before)[0].body).not.toHaveProperty('dimensions');
    });

    it('makes no request for no texts', async () => {
      const before = fake.requests.length;
      expect(await embedder().embed([], newCtx())).toEqual([]);
      expect(fake.requests.length).toBe(before);
    });

    it('refuses vectors of another dimension or count as invalid_output, and records the failure', async () => {
      const ctx = newCtx();
      fake.embedWith((inputs) => inputs.map(() => [1, 0, 0]));
      try {
        const err = await failure(embedder().embed(['a text'], ctx));
        expect(err.kind).toBe('invalid_output');
        expect(err.retryable).toBe(false);
        fake.embedWith((inputs, d) => inputs.slice(1).map(() => new Array(d).fill(0.5)));
        expect((await failure(embedder().embed(['one', 'two'], ctx))).kind).toBe('invalid_output');
      } finally {
        fake.embedWith();
      }
      const rows = await rowsOf(ctx.workflow);
      expect(rows.map((r) => [r.status, r.error_kind, r.total_tokens, r.cost])).toEqual([
        ['error', 'invalid_output', 0, 0],
        ['error', 'invalid_output', 0, 0],
      ]);
    });

    it('maps 429 to rate_limited with Retry-After, 5xx to server, 401/403 to auth, other 4xx to bad_request', async () => {
      fake.failNext(1, { status: 429, retryAfterSeconds: 7 });
      const limited = await failure(embedder().embed(['x'], newCtx()));
      expect(limited).toMatchObject({ kind: 'rate_limited', retryable: true, details: { status: 429, retryAfterMs: 7000 } });

      for (const [status, kind] of [
        [500, 'server'],
        [503, 'server'],
        [403, 'auth'],
        [400, 'bad_request'],
        [404, 'bad_request'],
      ] as const) {
        fake.failNext(1, { status });
        expect(await failure(embedder().embed(['x'], newCtx()))).toMatchObject({ kind, details: { status } });
      }
      const ctx = newCtx();
      expect(await failure(embedder({ apiKey: 'wrong' }).embed(['x'], ctx))).toMatchObject({ kind: 'auth', retryable: false, details: { status: 401 } });
      expect((await rowsOf(ctx.workflow)).map((r) => [r.status, r.error_kind])).toEqual([['error', 'auth']]);
    });

    it('maps a server that never answers to timeout, and a refused or reset connection to network', async () => {
      fake.failNext(1, 'timeout');
      const started = Date.now();
      const ctx = newCtx();
      expect(await failure(embedder({ timeoutMs: 300 }).embed(['x'], ctx))).toMatchObject({ kind: 'timeout', retryable: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      const [row] = await rowsOf(ctx.workflow);
      expect(row).toMatchObject({ status: 'error', error_kind: 'timeout' });
      expect(row.latency_ms).toBeGreaterThanOrEqual(280);

      fake.failNext(1, 'reset');
      expect(await failure(embedder().embed(['x'], newCtx()))).toMatchObject({ kind: 'network', retryable: true });

      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      expect(await failure(embedder({ baseUrl: `http://127.0.0.1:${port}/v1` }).embed(['x'], newCtx()))).toMatchObject({ kind: 'network' });
    });

    it('retries 429, 5xx and timeouts up to maxRetries and then succeeds, recording one ok row', async () => {
      const ctx = newCtx();
      const before = fake.requests.length;
      fake.failNext(1, { status: 429, retryAfterSeconds: 0 }).failNext(1, { status: 500 }).failNext(1, 'timeout');
      const [v] = await embedder({ maxRetries: 3, timeoutMs: 300 }).embed(['recovered'], ctx);
      expect(v).toHaveLength(64);
      expect(fake.since(before).map((r) => r.status)).toEqual([429, 500, null, 200]);
      expect((await rowsOf(ctx.workflow)).map((r) => r.status)).toEqual(['ok']);
    });

    it('gives up after maxRetries, and does not wait out a long Retry-After in-process', async () => {
      let before = fake.requests.length;
      fake.failNext(3, { status: 502 });
      expect(await failure(embedder({ maxRetries: 2 }).embed(['x'], newCtx()))).toMatchObject({ kind: 'server' });
      expect(fake.since(before)).toHaveLength(3);

      before = fake.requests.length;
      fake.failNext(1, { status: 429, retryAfterSeconds: 3600 });
      const started = Date.now();
      expect(await failure(embedder({ maxRetries: 2 }).embed(['x'], newCtx()))).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 3_600_000 } });
      expect(fake.since(before)).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  describe('OpenAiLlmClient', () => {
    it('completes a chat and meters tokens and cost at the model price', async () => {
      const ctx = newCtx('answer');
      const before = fake.requests.length;
      const r = await llm().complete({ messages: [{ role: 'user', content: 'Say hi' }], maxTokens: 50, temperature: 0 }, ctx);
      expect(r).toMatchObject({ text: 'Echo: Say hi', grounded: true, citations: [], provider: 'openai', model: 'gpt-4o-mini' });
      expect(r.json).toBeUndefined();
      const [sent] = fake.since(before);
      expect(sent.path).toBe('/v1/chat/completions');
      expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 50, temperature: 0 });
      expect(sent.body).not.toHaveProperty('response_format');

      const prompt = countTokens('Say hi');
      const completion = countTokens('Echo: Say hi');
      expect(r.usage).toEqual({ promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion });
      const [row] = await rowsOf(ctx.workflow);
      expect(row).toMatchObject({ workspace_id: WORKSPACE, node_name: 'answer', provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', status: 'ok', prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
      expect(row.cost).toBeCloseTo((prompt * 0.15 + completion * 0.6) / 1e6, 15);
    });

    it('renders documents as numbered passages with instructions, and keeps only valid citations in first-seen order', async () => {
      let system = '';
      fake.replyWith((body) => {
        system = body.messages[0].content;
        return 'Refunds take five days [2]. See also [2][7] and [1, 2].';
      });
      const documents = [
        { id: 'a', text: 'The app\ncrashes on login.', title: '#mobile' },
        { id: 'b', text: 'Refunds take five business days.' },
      ];
      const r = await llm().complete({ messages: [{ role: 'user', content: 'How long do refunds take?' }], documents }, newCtx());
      expect(r.citations).toEqual([2, 1]);
      expect(r.grounded).toBe(true);
      expect(r.text).toBe('Refunds take five days [2]. See also [2][7] and [1, 2].');
      expect(system).toContain('[1] #mobile: The app crashes on login.');
      expect(system).toContain('[2] Refunds take five business days.');
      expect(system).toContain(NO_ANSWER_SENTINEL);
      fake.replyWith(() => NO_ANSWER_SENTINEL);
      const none = await llm().complete({ messages: [{ role: 'user', content: 'Who won the match?' }], documents }, newCtx());
      expect(none).toMatchObject({ text: NOT_FOUND_ANSWER, citations: [], grounded: false });
      fake.replyWith();
    });

    it('asks for strict JSON-schema output and returns the validated JSON, or fails with invalid_output', async () => {
      const schema = { type: 'object', properties: { topic: { type: 'string' }, score: { type: 'number' } }, required: ['topic', 'score'], additionalProperties: false };
      const before = fake.requests.length;
      fake.replyWith(() => '{"topic": "billing", "score": 0.9}');
      const ok = await llm().complete({ messages: [{ role: 'user', content: 'classify' }], responseSchema: schema }, newCtx());
      expect(ok.json).toEqual({ topic: 'billing', score: 0.9 });
      expect(fake.since(before)[0].body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } });

      const ctx = newCtx();
      for (const reply of ['not json at all', '{"topic": "billing"}', '{"topic": "billing", "score": "high"}']) {
        fake.replyWith(() => reply);
        expect(await failure(llm().complete({ messages: [{ role: 'user', content: 'classify' }], responseSchema: schema }, ctx))).toMatchObject({ kind: 'invalid_output', retryable: false });
      }
      fake.replyWith(() => '```json\n{"topic": "x", "score": 1}\n```');
      expect((await llm().complete({ messages: [{ role: 'user', content: 'classify' }], responseSchema: schema }, newCtx())).json).toEqual({ topic: 'x', score: 1 });
      fake.replyWith();
      expect((await rowsOf(ctx.workflow)).map((r) => [r.status, r.error_kind])).toEqual([
        ['error', 'invalid_output'],
        ['error', 'invalid_output'],
        ['error', 'invalid_output'],
      ]);
    });

    it('maps failures like the embedder, and recovers through retries', async () => {
      fake.failNext(1, { status: 429, retryAfterSeconds: 1 });
      expect(await failure(llm().complete({ messages: [{ role: 'user', content: 'x' }] }, newCtx()))).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 1000 } });
      fake.failNext(1, { status: 500 });
      expect(await failure(llm().complete({ messages: [{ role: 'user', content: 'x' }] }, newCtx()))).toMatchObject({ kind: 'server' });
      fake.failNext(1, 'timeout');
      expect(await failure(llm({ timeoutMs: 300 }).complete({ messages: [{ role: 'user', content: 'x' }] }, newCtx()))).toMatchObject({ kind: 'timeout' });

      const ctx = newCtx();
      fake.failNext(2, { status: 503 });
      const r = await llm({ maxRetries: 2 }).complete({ messages: [{ role: 'user', content: 'again' }] }, ctx);
      expect(r.text).toBe('Echo: again');
      expect((await rowsOf(ctx.workflow)).map((row) => row.status)).toEqual(['ok']);
    });

    it('sends a placeholder key to servers that need none (Ollama)', async () => {
      const open = await FakeOpenAiServer.start();
      try {
        const client = new OpenAiLlmClient({ baseUrl: open.baseUrl, apiKey: '', model: 'llama3.1', timeoutMs: 2000, maxRetries: 0 });
        expect((await client.complete({ messages: [{ role: 'user', content: 'hi' }] }, newCtx())).text).toBe('Echo: hi');
        expect(open.requests[0].headers.authorization).toMatch(/^Bearer \S+/);
      } finally {
        await open.close();
      }
    });
  });
});
