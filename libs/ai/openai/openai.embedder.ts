import OpenAI from 'openai';
import { AiCallContext, AiProviderError, TokenUsage } from '@libs/ai/ai-call';
import { EmbeddingAdapter, EmbeddingResult, l2Normalize } from '@libs/ai/embedder';
import { countTokens } from '@libs/ai/text/tokens';
import { attemptSignal, createOpenAiClient, OpenAiConnection, RetryPolicy, toAiProviderError, withRetries } from './openai-connection';

export const OPENAI_DEFAULT_EMBEDDING_MODEL = 'text-embedding-3-small';
export const OPENAI_DEFAULT_EMBEDDING_DIMENSION = 1536;

/** Inputs per request: OpenAI accepts up to 2048; smaller batches keep a request well under its timeout. */
const MAX_INPUTS_PER_REQUEST = 256;

export interface OpenAiEmbedderSettings extends OpenAiConnection {
  model?: string;
  /**
   * Configured: sent as `dimensions` (text-embedding-3-* shorten their vectors) and required of
   * every vector. Unset: 1536 is expected and nothing is sent (servers that reject the field).
   */
  dimension?: number;
}

/**
 * Embeddings from any OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM). Vectors
 * come back in input order (by `index`), checked against the configured dimension (a model
 * that answers another size would corrupt the vector index: AiProviderError `invalid_output`)
 * and L2-normalised so that cosine is a dot product, as with the offline embedder.
 */
export class OpenAiEmbedder extends EmbeddingAdapter {
  readonly provider = 'openai';
  readonly model: string;
  readonly dimension: number;
  private readonly client: OpenAI;
  private readonly sendDimensions: boolean;

  constructor(
    private readonly settings: OpenAiEmbedderSettings,
    private readonly retryPolicy: RetryPolicy = {},
  ) {
    super();
    this.model = settings.model ?? OPENAI_DEFAULT_EMBEDDING_MODEL;
    this.dimension = settings.dimension ?? OPENAI_DEFAULT_EMBEDDING_DIMENSION;
    this.sendDimensions = settings.dimension !== undefined;
    this.client = createOpenAiClient(settings);
  }

  async embedWithUsage(texts: string[], _ctx: AiCallContext): Promise<EmbeddingResult> {
    const vectors: number[][] = [];
    const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    for (let from = 0; from < texts.length; from += MAX_INPUTS_PER_REQUEST) {
      const batch = texts.slice(from, from + MAX_INPUTS_PER_REQUEST);
      const result = await withRetries(() => this.request(batch), this.settings.maxRetries, this.retryPolicy);
      vectors.push(...result.vectors);
      usage.promptTokens += result.usage.promptTokens;
      usage.totalTokens += result.usage.totalTokens;
    }
    return { vectors, usage };
  }

  private async request(input: string[]): Promise<EmbeddingResult> {
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    const signal = attemptSignal(this.settings);
    try {
      response = await this.client.embeddings.create(
        {
          model: this.model,
          input,
          // Explicit floats: the package asks for base64 otherwise, which not every compatible server speaks.
          encoding_format: 'float',
          ...(this.sendDimensions ? { dimensions: this.dimension } : {}),
        },
        { signal },
      );
    } catch (err) {
      throw toAiProviderError(err, this.provider, this.model, signal);
    }
    const details = { provider: this.provider, model: this.model };
    const data = Array.isArray(response?.data) ? [...response.data].sort((a, b) => a.index - b.index) : [];
    if (data.length !== input.length || data.some((d, i) => d.index !== i)) {
      throw new AiProviderError('invalid_output', `${this.provider} (${this.model}) returned ${data.length} embeddings for ${input.length} inputs`, details);
    }
    const vectors = data.map((d, i) => {
      const v = d.embedding as unknown;
      if (!Array.isArray(v) || v.length !== this.dimension || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new AiProviderError('invalid_output', `${this.provider} (${this.model}) returned a vector of ${Array.isArray(v) ? v.length : typeof v} values for input ${i}, expected ${this.dimension}`, details);
      }
      return l2Normalize(v as number[]);
    });
    // Servers that report no usage (some compatible ones) are counted with the local tokenizer.
    const promptTokens = response.usage?.prompt_tokens ?? input.reduce((n, t) => n + countTokens(t), 0);
    return { vectors, usage: { promptTokens, completionTokens: 0, totalTokens: response.usage?.total_tokens ?? promptTokens } };
  }
}
