import { performance } from 'node:perf_hooks';
import { AiCallContext, AiProviderError } from '@libs/ai/ai-call';
import { CompletionRequest, CompletionResult, LlmClient } from '@libs/ai/llm-client';
import { LlmUsageMeter } from './llm-usage-meter';

/** Any LlmClient, with every call (success or failure) recorded in llm_usage_logs. */
export class MeteredLlmClient extends LlmClient {
  readonly provider: string;
  readonly model: string;

  constructor(
    private readonly inner: LlmClient,
    private readonly meter: LlmUsageMeter,
  ) {
    super();
    this.provider = inner.provider;
    this.model = inner.model;
  }

  async complete(request: CompletionRequest, ctx: AiCallContext): Promise<CompletionResult> {
    const started = performance.now();
    try {
      const result = await this.inner.complete(request, ctx);
      // The model the server says answered (a dated snapshot) is the one billed.
      void this.meter.record({ ctx, provider: result.provider, model: result.model, operation: 'chat', status: 'ok', usage: result.usage, latencyMs: performance.now() - started });
      return result;
    } catch (err) {
      void this.meter.record({
        ctx,
        provider: this.provider,
        model: this.model,
        operation: 'chat',
        status: 'error',
        errorKind: err instanceof AiProviderError ? err.kind : 'unexpected',
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
        latencyMs: performance.now() - started,
      });
      throw err;
    }
  }
}
