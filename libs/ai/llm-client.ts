import { AiCallContext, TokenUsage } from './ai-call';

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A passage the answer must rest on; cited in the answer as [n], n = its 1-based position. */
export interface LlmDocument {
  id: string;
  text: string;
  title?: string;
}

export interface CompletionRequest {
  messages: LlmMessage[];
  /** Grounding passages (retrieval-augmented answers). The answer cites them as [1], [2]... */
  documents?: LlmDocument[];
  /**
   * JSON Schema of the answer: the reply is parsed and validated (ajv) into `json`. The offline
   * client does not support it (AiProviderError `unsupported`).
   */
  responseSchema?: Record<string, unknown>;
  maxTokens?: number;
  temperature?: number;
}

export interface CompletionResult {
  text: string;
  /** The validated answer when `responseSchema` was given. */
  json?: unknown;
  /** 1-based positions of the `documents` the answer cites, in order of first citation. */
  citations: number[];
  /** false when the model found nothing in the documents to answer with. */
  grounded: boolean;
  usage: TokenUsage;
  latencyMs: number;
  provider: string;
  model: string;
}

/**
 * Chat completion. Adapters: the built-in offline engine (default: extractive answers with
 * citations, keyphrases, summaries; no network) and any OpenAI-compatible chat endpoint
 * (OpenAI, Ollama, vLLM). The app's LlmClient is metered (llm_usage_logs).
 */
export abstract class LlmClient {
  abstract readonly provider: string;
  abstract readonly model: string;
  /** Throws AiProviderError (kind `invalid_output` when the answer does not match responseSchema). */
  abstract complete(request: CompletionRequest, ctx: AiCallContext): Promise<CompletionResult>;
}
