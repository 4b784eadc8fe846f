import { AiCallContext, TokenUsage } from './ai-call';

/**
 * Turns texts into vectors of `dimension` floats, L2-normalised (cosine = dot product).
 * Adapters: the built-in offline hashing embedder (default) and any OpenAI-compatible
 * embeddings endpoint. The app's Embedder is metered (llm_usage_logs).
 */
export abstract class Embedder {
  /** `offline` | `openai`. */
  abstract readonly provider: string;
  abstract readonly model: string;
  abstract readonly dimension: number;
  /** One vector per text, in order. Throws AiProviderError. */
  abstract embed(texts: string[], ctx: AiCallContext): Promise<number[][]>;
}

export interface EmbeddingResult {
  vectors: number[][];
  usage: TokenUsage;
}

/**
 * An embedding adapter (offline, OpenAI-compatible) that also says what a call consumed, so the
 * metering decorator can record tokens and cost. Modules depend on `Embedder` only.
 */
export abstract class EmbeddingAdapter extends Embedder {
  abstract embedWithUsage(texts: string[], ctx: AiCallContext): Promise<EmbeddingResult>;

  async embed(texts: string[], ctx: AiCallContext): Promise<number[][]> {
    return (await this.embedWithUsage(texts, ctx)).vectors;
  }
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function l2Normalize<T extends { length: number; [i: number]: number }>(v: T): T {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  if (sum === 0) return v;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] *= inv;
  return v;
}

/** Cosine similarity; for unit vectors the dot product. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
