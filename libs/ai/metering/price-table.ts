import { TokenUsage } from '@libs/ai/ai-call';

/** USD per 1M tokens. */
export interface ModelPrice {
  prompt: number;
  completion: number;
}

/**
 * List prices of common models (USD per 1M tokens; embeddings bill input only). Offline models
 * cost nothing. Prices change: LLM_PRICES overrides any entry and adds models.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o-mini': { prompt: 0.15, completion: 0.6 },
  'gpt-4o': { prompt: 2.5, completion: 10.0 },
  'gpt-4.1': { prompt: 2.0, completion: 8.0 },
  'gpt-4.1-mini': { prompt: 0.4, completion: 1.6 },
  'gpt-4.1-nano': { prompt: 0.1, completion: 0.4 },
  'text-embedding-3-small': { prompt: 0.02, completion: 0 },
  'text-embedding-3-large': { prompt: 0.13, completion: 0 },
  'text-embedding-ada-002': { prompt: 0.1, completion: 0 },
  'offline-hashing-v1': { prompt: 0, completion: 0 },
  'offline-extractive-v1': { prompt: 0, completion: 0 },
};

/**
 * What a model call cost. A model is looked up by its exact name, then without a provider
 * prefix ("openai/gpt-4o" -> "gpt-4o"), then as a dated snapshot of a known model
 * ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini", the longest match). An unknown model (a local
 * Ollama model, say) costs 0: metering still records its tokens and latency.
 */
export class PriceTable {
  private readonly prices: Map<string, ModelPrice>;

  /** Overrides: {"model": {"prompt": n, "completion"?: n}}; a missing completion price is the prompt price. */
  constructor(overrides: Record<string, { prompt: number; completion?: number }> = {}) {
    this.prices = new Map(Object.entries(BUILT_IN_PRICES));
    for (const [model, p] of Object.entries(overrides)) this.prices.set(model, { prompt: p.prompt, completion: p.completion ?? p.prompt });
  }

  priceOf(model: string): ModelPrice | undefined {
    const exact = this.prices.get(model);
    if (exact) return exact;
    const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
    if (bare !== model && this.prices.has(bare)) return this.prices.get(bare);
    let best: string | undefined;
    for (const known of this.prices.keys()) {
      if (bare.startsWith(`${known}-`) && (!best || known.length > best.length)) best = known;
    }
    return best ? this.prices.get(best) : undefined;
  }

  /** USD; 0 for an unknown model. */
  costOf(model: string, usage: Pick<TokenUsage, 'promptTokens' | 'completionTokens'>): number {
    const p = this.priceOf(model);
    if (!p) return 0;
    return (usage.promptTokens * p.prompt + usage.completionTokens * p.completion) / 1_000_000;
  }
}
