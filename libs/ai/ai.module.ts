import { DynamicModule, Global, Module } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { EmbeddingAdapter, Embedder } from './embedder';
import { LlmClient } from './llm-client';
import { LlmUsageMeter } from './metering/llm-usage-meter';
import { MeteredEmbedder } from './metering/metered.embedder';
import { MeteredLlmClient } from './metering/metered-llm.client';
import { PriceTable } from './metering/price-table';
import { OFFLINE_EMBEDDING_DIMENSION, OFFLINE_EMBEDDING_MODEL, OfflineHashingEmbedder } from './offline/offline-hashing.embedder';
import { OfflineLlmClient } from './offline/offline-llm.client';
import { OfflineTextEngine } from './offline/offline-text-engine';
import { OPENAI_DEFAULT_EMBEDDING_DIMENSION, OPENAI_DEFAULT_EMBEDDING_MODEL, OpenAiEmbedder } from './openai/openai.embedder';
import { OpenAiLlmClient } from './openai/openai-llm.client';

/** What libs/ai needs from the app's configuration (src/app.module.ts maps AppConfig onto it). */
export interface AiSettings {
  llm: { provider: 'offline' | 'openai'; baseUrl?: string; apiKey?: string; model: string; timeoutMs: number; maxRetries: number };
  embeddings: { provider: 'offline' | 'openai'; baseUrl?: string; apiKey?: string; model?: string; dimension?: number; timeoutMs: number; maxRetries: number };
  /** USD per 1M tokens, overriding the built-in price table. */
  prices?: Record<string, { prompt: number; completion?: number }>;
}

/** The vector space embeddings live in: vectors of different spaces must never be compared. */
export interface EmbeddingSpace {
  provider: 'offline' | 'openai';
  model: string;
  dimension: number;
}

/**
 * The space the configured embedder produces: offline-hashing-v1 (384 unless
 * EMBEDDING_DIMENSION says otherwise; EMBEDDINGS_MODEL does not apply), or the OpenAI-compatible
 * model (text-embedding-3-small, 1536, by default).
 */
export function embeddingSpaceOf(settings: Pick<AiSettings, 'embeddings'>): EmbeddingSpace {
  const e = settings.embeddings;
  if (e.provider === 'openai') return { provider: 'openai', model: e.model ?? OPENAI_DEFAULT_EMBEDDING_MODEL, dimension: e.dimension ?? OPENAI_DEFAULT_EMBEDDING_DIMENSION };
  return { provider: 'offline', model: OFFLINE_EMBEDDING_MODEL, dimension: e.dimension ?? OFFLINE_EMBEDDING_DIMENSION };
}

/** The unmetered embedding adapter the settings choose. */
export function createEmbeddingAdapter(settings: Pick<AiSettings, 'embeddings'>): EmbeddingAdapter {
  const e = settings.embeddings;
  const space = embeddingSpaceOf(settings);
  if (e.provider === 'openai') return new OpenAiEmbedder({ baseUrl: e.baseUrl, apiKey: e.apiKey, model: space.model, dimension: e.dimension, timeoutMs: e.timeoutMs, maxRetries: e.maxRetries });
  return new OfflineHashingEmbedder(space.dimension);
}

/** The unmetered LlmClient the settings choose (LLM_MODEL applies to openai only). */
export function createLlmAdapter(settings: Pick<AiSettings, 'llm'>, engine: OfflineTextEngine = new OfflineTextEngine()): LlmClient {
  const l = settings.llm;
  if (l.provider === 'openai') return new OpenAiLlmClient({ baseUrl: l.baseUrl, apiKey: l.apiKey, model: l.model, timeoutMs: l.timeoutMs, maxRetries: l.maxRetries });
  return new OfflineLlmClient(engine);
}

/**
 * The AI ports for every module: `Embedder` and `LlmClient` (both metered into
 * llm_usage_logs), offline by default, OpenAI-compatible when configured; plus the meter, the
 * price table and the offline engine (keyphrases, summaries, extractive answers) for direct use.
 * Needs the global DatabaseModule (PG_POOL).
 */
@Global()
@Module({})
export class AiModule {
  static forRoot(settings: AiSettings): DynamicModule {
    return {
      module: AiModule,
      providers: [
        { provide: PriceTable, useFactory: () => new PriceTable(settings.prices) },
        { provide: LlmUsageMeter, inject: [PG_POOL, PriceTable], useFactory: (pool: Pool, prices: PriceTable) => new LlmUsageMeter(pool, prices) },
        { provide: OfflineTextEngine, useFactory: () => new OfflineTextEngine() },
        { provide: Embedder, inject: [LlmUsageMeter], useFactory: (meter: LlmUsageMeter) => new MeteredEmbedder(createEmbeddingAdapter(settings), meter) },
        { provide: LlmClient, inject: [LlmUsageMeter, OfflineTextEngine], useFactory: (meter: LlmUsageMeter, engine: OfflineTextEngine) => new MeteredLlmClient(createLlmAdapter(settings, engine), meter) },
      ],
      exports: [Embedder, LlmClient, LlmUsageMeter, PriceTable, OfflineTextEngine],
    };
  }
}
