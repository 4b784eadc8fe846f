import { Global, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';
import { AiModule, AiSettings } from '@libs/ai/ai.module';
import { Embedder } from '@libs/ai/embedder';
import { LlmClient } from '@libs/ai/llm-client';
import { OfflineHashingEmbedder } from '@libs/ai/offline/offline-hashing.embedder';
import { OfflineLlmClient } from '@libs/ai/offline/offline-llm.client';
import { OfflineTextEngine } from '@libs/ai/offline/offline-text-engine';
import { countTokens } from '@libs/ai/text/tokens';
import { PG_POOL } from '@libs/database/database-backend';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { LlmUsageMeter } from './llm-usage-meter';
import { MeteredEmbedder } from './metered.embedder';
import { MeteredLlmClient } from './metered-llm.client';
import { PriceTable } from './price-table';

const WORKSPACE = '0b7c6a52-93d4-4f3e-8d0e-3f0d9a0c4e21';
const USER = '0193a000-0000-7000-8000-0000000000e1';

// One database for the file (each test reads only its own workflow's rows).
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(4);
});
afterAll(async () => {
  await db?.close();
});

describe('LlmUsageMeter (llm_usage_logs)', () => {
  let meter: LlmUsageMeter;

  beforeAll(() => {
    meter = new LlmUsageMeter(db.pool, new PriceTable({ 'local-model': { prompt: 1, completion: 3 } }));
  });

  const rowsOf = async (workflow: string) => {
    await meter.flush();
    return (await db.pool.query(`SELECT * FROM llm_usage_logs WHERE workflow_name = $1 ORDER BY id`, [workflow])).rows;
  };

  it('records a call with its workspace, workflow, node, user, tokens, latency and cost from the price table', async () => {
    await meter.record({
      ctx: { workspaceId: WORKSPACE, workflow: 'meter.record', node: 'classify', userId: USER },
      provider: 'openai',
      model: 'local-model',
      operation: 'chat',
      status: 'ok',
      usage: { promptTokens: 1000, completionTokens: 200, totalTokens: 1200 },
      latencyMs: 41.6,
    });
    await meter.record({
      ctx: { workspaceId: null, workflow: 'meter.record', node: 'check' },
      provider: 'openai',
      model: 'gpt-4o-mini',
      operation: 'chat',
      status: 'error',
      errorKind: 'timeout',
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      latencyMs: 3000,
    });
    const [ok, failed] = await rowsOf('meter.record'); // awaited one by one: ids in call order
    expect(ok).toMatchObject({ workspace_id: WORKSPACE, user_id: USER, node_name: 'classify', provider: 'openai', model: 'local-model', operation: 'chat', status: 'ok', error_kind: null, prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200, latency_ms: 42 });
    expect(ok.cost).toBeCloseTo((1000 * 1 + 200 * 3) / 1e6, 15);
    expect(ok.created_at).toBeInstanceOf(Date);
    expect(ok.updated_at).toBeInstanceOf(Date);
    expect(failed).toMatchObject({ workspace_id: null, user_id: null, node_name: 'check', status: 'error', error_kind: 'timeout', total_tokens: 0, latency_ms: 3000, cost: 0 });
  });

  it('meters the offline adapters: embeddings and answers at cost 0, failures with their kind', async () => {
    const embedder = new MeteredEmbedder(new OfflineHashingEmbedder(), meter);
    const llm = new MeteredLlmClient(new OfflineLlmClient(), meter);
    const ctx = { workspaceId: WORKSPACE, workflow: 'meter.offline', node: 'embed' };
    await embedder.embed(['first text to embed', 'second'], ctx);
    await llm.complete({ messages: [{ role: 'user', content: 'Refunds?' }], documents: [{ id: 'd', text: 'Refunds take five days.' }] }, { ...ctx, node: 'answer' });
    await expect(llm.complete({ messages: [{ role: 'user', content: 'x' }], responseSchema: { type: 'object' } }, { ...ctx, node: 'extract' })).rejects.toMatchObject({ kind: 'unsupported' });

    // Rows are written concurrently (the calls do not wait for them): their ids need not follow the calls.
    const rows = new Map((await rowsOf('meter.offline')).map((r) => [r.node_name as string, r]));
    expect([...rows.values()].map((r) => [r.node_name, r.provider, r.model, r.operation, r.status, r.error_kind, r.cost]).sort()).toEqual([
      ['answer', 'offline', 'offline-extractive-v1', 'chat', 'ok', null, 0],
      ['embed', 'offline', 'offline-hashing-v1', 'embedding', 'ok', null, 0],
      ['extract', 'offline', 'offline-extractive-v1', 'chat', 'error', 'unsupported', 0],
    ]);
    expect(rows.get('embed')!.prompt_tokens).toBe(countTokens('first text to embed') + countTokens('second'));
    expect(rows.get('answer')!.completion_tokens).toBeGreaterThan(0);
  });

  it('never fails or holds up the model call: a failed insert is logged and the call still answers', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const llm = new MeteredLlmClient(new OfflineLlmClient(), meter);
      // Not a uuid: the insert fails.
      const r = await llm.complete({ messages: [{ role: 'user', content: 'Summarise this. It is short.' }] }, { workspaceId: 'not-a-uuid', workflow: 'meter.broken', node: 'n' });
      expect(r.text).toBe('Summarise this. It is short.');
      await meter.flush();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not record usage of offline-extractive-v1 for meter\.broken\/n/));
      expect(await rowsOf('meter.broken')).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('recorded() waits for the rows recorded before it, not for those recorded while it waits', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const queries: string[] = [];
    // The second insert hangs until released: recorded(), asked before it, must not wait for it.
    const slow = new LlmUsageMeter(
      {
        query: async (text: string) => {
          queries.push(text);
          if (queries.length === 2) await held;
          return db.pool.query('SELECT 1');
        },
      },
      new PriceTable(),
    );
    const call = { ctx: { workspaceId: WORKSPACE, workflow: 'meter.recorded', node: 'n' }, provider: 'offline', model: 'm', operation: 'chat' as const, status: 'ok' as const, usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 }, latencyMs: 1 };
    let firstDone = false;
    void slow.record(call).then(() => (firstDone = true));
    const waiting = slow.recorded();
    void slow.record(call);
    await waiting;
    expect(firstDone).toBe(true);
    expect(queries).toHaveLength(2);
    release();
    await slow.flush();
  });

  it('lets a caller that holds the only connection in a transaction call a model (embedded mode has one)', async () => {
    const single = new Pool({ connectionString: db.url, max: 1 });
    try {
      const soloMeter = new LlmUsageMeter(single, new PriceTable());
      const embedder = new MeteredEmbedder(new OfflineHashingEmbedder(), soloMeter);
      const client = await single.connect();
      try {
        await client.query('BEGIN');
        // Would wait forever for the pool's one connection if the call waited for its row.
        const [v] = await embedder.embed(['inside a transaction'], { workspaceId: WORKSPACE, workflow: 'meter.in-tx', node: 'embed' });
        expect(v).toHaveLength(384);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      await soloMeter.flush();
      expect((await rowsOf('meter.in-tx')).map((r) => r.status)).toEqual(['ok']);
    } finally {
      await single.end();
    }
  });
});

describe('AiModule.forRoot', () => {
  let fake: FakeOpenAiServer;

  @Global()
  @Module({})
  class TestPoolModule {
    static with(pool: Pool) {
      return { module: TestPoolModule, providers: [{ provide: PG_POOL, useValue: pool }], exports: [PG_POOL] };
    }
  }

  const contextWith = async (settings: AiSettings) => {
    @Module({ imports: [TestPoolModule.with(db.pool), AiModule.forRoot(settings)] })
    class RootModule {}
    return NestFactory.createApplicationContext(RootModule, { logger: false });
  };
  const base = { timeoutMs: 2000, maxRetries: 0 };

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('provides the offline adapters by default, metered, with the engine, meter and price table', async () => {
    const app = await contextWith({ llm: { provider: 'offline', model: 'gpt-4o-mini', ...base }, embeddings: { provider: 'offline', ...base } });
    try {
      const embedder = app.get(Embedder);
      const llm = app.get(LlmClient);
      expect(embedder).toBeInstanceOf(MeteredEmbedder);
      expect([embedder.provider, embedder.model, embedder.dimension]).toEqual(['offline', 'offline-hashing-v1', 384]);
      expect(llm).toBeInstanceOf(MeteredLlmClient);
      expect([llm.provider, llm.model]).toEqual(['offline', 'offline-extractive-v1']);
      expect(app.get(OfflineTextEngine).keyphrases('The Slack export is broken. Is the Slack export fixed?', 1)).toEqual(['slack export']);
      expect(app.get(PriceTable).priceOf('gpt-4o')).toEqual({ prompt: 2.5, completion: 10 });

      await embedder.embed(['hello'], { workspaceId: WORKSPACE, workflow: 'module.offline', node: 'embed' });
      await app.get(LlmUsageMeter).flush();
      const { rows } = await db.pool.query(`SELECT model FROM llm_usage_logs WHERE workflow_name = 'module.offline'`);
      expect(rows).toEqual([{ model: 'offline-hashing-v1' }]);
    } finally {
      await app.close();
    }
  });

  it('provides OpenAI-compatible adapters when configured, with price overrides', async () => {
    const app = await contextWith({
      llm: { provider: 'openai', baseUrl: fake.baseUrl, model: 'llama3.1', ...base },
      embeddings: { provider: 'openai', baseUrl: fake.baseUrl, model: 'nomic-embed-text', dimension: 96, ...base },
      prices: { 'llama3.1': { prompt: 1, completion: 2 } },
    });
    try {
      const embedder = app.get(Embedder);
      expect([embedder.provider, embedder.model, embedder.dimension]).toEqual(['openai', 'nomic-embed-text', 96]);
      const [v] = await embedder.embed(['hello'], { workspaceId: WORKSPACE, workflow: 'module.openai', node: 'embed' });
      expect(v).toHaveLength(96);
      const r = await app.get(LlmClient).complete({ messages: [{ role: 'user', content: 'ping' }] }, { workspaceId: WORKSPACE, workflow: 'module.openai', node: 'chat' });
      expect(r).toMatchObject({ provider: 'openai', model: 'llama3.1', text: 'Echo: ping' });
      await app.get(LlmUsageMeter).flush();
      const { rows } = await db.pool.query(`SELECT node_name, model, cost FROM llm_usage_logs WHERE workflow_name = 'module.openai' ORDER BY node_name`);
      expect(rows.map((x) => [x.node_name, x.model])).toEqual([
        ['chat', 'llama3.1'],
        ['embed', 'nomic-embed-text'],
      ]);
      expect(rows[0].cost).toBeCloseTo((r.usage.promptTokens * 1 + r.usage.completionTokens * 2) / 1e6, 15);
    } finally {
      await app.close();
    }
  });
});
