import { AiCallContext } from './ai-call';

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
