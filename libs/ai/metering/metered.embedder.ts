import { performance } from 'node:perf_hooks';
import { AiCallContext, AiProviderError } from '@libs/ai/ai-call';
import { EmbeddingAdapter, EmbeddingResult } from '@libs/ai/embedder';
import { LlmUsageMeter } from './llm-usage-meter';

/** Any embedding adapter, with every call (success or failure) recorded in llm_usage_logs. */
export class MeteredEmbedder extends EmbeddingAdapter {
  readonly provider: string;
  readonly model: string;
  readonly dimension: number;

  constructor(
    private readonly inner: EmbeddingAdapter,
    private readonly meter: LlmUsageMeter,
  ) {
    super();
    this.provider = inner.provider;
    this.model = inner.model;
    this.dimension = inner.dimension;
  }

  async embedWithUsage(texts: string[], ctx: AiCallContext): Promise<EmbeddingResult> {
    // Nothing to embed is no model call, and no row.
    if (texts.length === 0) return { vectors: [], usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
    const started = performance.now();
    const base = { ctx, provider: this.provider, model: this.model, operation: 'embedding' as const };
    try {
      const result = await this.inner.embedWithUsage(texts, ctx);
      void this.meter.record({ ...base, status: 'ok', usage: result.usage, latencyMs: performance.now() - started });
      return result;
    } catch (err) {
      void this.meter.record({ ...base, status: 'error', errorKind: err instanceof AiProviderError ? err.kind : 'unexpected', usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 }, latencyMs: performance.now() - started });
      throw err;
    }
  }
}
