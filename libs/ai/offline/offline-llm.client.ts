import { performance } from 'node:perf_hooks';
import { AiCallContext, AiProviderError } from '@libs/ai/ai-call';
import { CompletionRequest, CompletionResult, LlmClient } from '@libs/ai/llm-client';
import { countTokens } from '@libs/ai/text/tokens';
import { OfflineTextEngine } from './offline-text-engine';

export const OFFLINE_LLM_MODEL = 'offline-extractive-v1';

/** Sentences of an offline summary when the request sets no `maxTokens`. */
const SUMMARY_SENTENCES = 3;

/**
 * The built-in `LlmClient` (provider `offline`, model `offline-extractive-v1`): no model, no
 * network, deterministic, and it cannot invent anything because it only returns sentences of its
 * input.
 *
 * - With `documents` (even an empty list, which means retrieval found nothing): an extractive
 *   answer to the last user message, citing documents as [n]; earlier user messages lend their
 *   terms some weight (follow-ups). `grounded` is false, with a fixed "could not find" text and no
 *   citations, when no sentence shares a meaningful term with the question.
 * - Without `documents`: an extractive summary of the last user message (its most central
 *   sentences, within `maxTokens` when given); `grounded` is true.
 * - `responseSchema` is not supported: it throws AiProviderError `unsupported` (not retryable).
 *   Callers that need structured output offline use OfflineTextEngine directly.
 * - System and assistant messages are ignored; `temperature` has no meaning here.
 */
export class OfflineLlmClient extends LlmClient {
  readonly provider = 'offline';
  readonly model = OFFLINE_LLM_MODEL;

  constructor(private readonly engine: OfflineTextEngine = new OfflineTextEngine()) {
    super();
  }

  async complete(request: CompletionRequest, _ctx: AiCallContext): Promise<CompletionResult> {
    const started = performance.now();
    if (request.responseSchema) {
      throw new AiProviderError('unsupported', 'the offline engine does not produce JSON-schema output; use OfflineTextEngine directly or configure LLM_PROVIDER=openai', { provider: this.provider, model: this.model });
    }
    const userTurns = request.messages.filter((m) => m.role === 'user').map((m) => m.content);
    const question = userTurns.at(-1) ?? '';
    let text: string;
    let citations: number[] = [];
    let grounded = true;
    if (request.documents) {
      const answer = this.engine.extractiveAnswer(question, request.documents, userTurns.slice(0, -1));
      ({ text, citations, grounded } = answer);
    } else {
      text = this.summaryWithin(question, request.maxTokens);
    }
    const promptTokens = request.messages.reduce((n, m) => n + countTokens(m.content), 0) + (request.documents ?? []).reduce((n, d) => n + countTokens(d.text) + (d.title ? countTokens(d.title) : 0), 0);
    const completionTokens = countTokens(text);
    return {
      text,
      citations,
      grounded,
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
      latencyMs: Math.round(performance.now() - started),
      provider: this.provider,
      model: this.model,
    };
  }

  private summaryWithin(text: string, maxTokens: number | undefined): string {
    if (maxTokens === undefined) return this.engine.summarize(text, SUMMARY_SENTENCES);
    for (let n = SUMMARY_SENTENCES; n > 0; n--) {
      const summary = this.engine.summarize(text, n);
      if (countTokens(summary) <= maxTokens) return summary;
    }
    return '';
  }
}
