import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { AiProviderError } from '@libs/ai/ai-call';

/** Where an OpenAI-compatible server is (OpenAI, Ollama, vLLM, ...) and how long to wait for it. */
export interface OpenAiConnection {
  /** e.g. https://api.openai.com/v1 (the default) or http://localhost:11434/v1 (Ollama). */
  baseUrl?: string;
  /** Empty for servers that need none (Ollama, a local vLLM). */
  apiKey?: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Further attempts after a retryable failure (429, 5xx, timeout, connection error). */
  maxRetries: number;
  /** The fetch to call the server with (an OutboundGuard's, for URLs a workspace admin typed); the global fetch by default. */
  fetch?: typeof globalThis.fetch;
}

export interface RetryPolicy {
  /** First backoff; doubles each attempt, with jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Longest backoff between attempts (default 8 s). */
  maxDelayMs?: number;
  /**
   * A Retry-After longer than this is not waited out in-process: the 429 goes to the caller with
   * `retryAfterMs` (a job retries later) instead of holding a worker (default 20 s).
   */
  maxRetryAfterMs?: number;
}

/** The openai package needs some key; servers without authentication ignore it. */
const NO_KEY = 'no-key';

/**
 * The official client with its own retries off: ours (withRetries) cap how long a Retry-After
 * may hold the caller, and see every attempt's error to map it. Its own timeout is only a
 * backstop: each attempt carries an `attemptSignal`, which tells a timeout from a dropped
 * connection for sure (the client's own abort is reported as a plain connection error when the
 * abort error comes from another realm, as under jest).
 */
export function createOpenAiClient(connection: OpenAiConnection): OpenAI {
  return new OpenAI({
    baseURL: connection.baseUrl ?? 'https://api.openai.com/v1',
    apiKey: connection.apiKey || NO_KEY,
    timeout: connection.timeoutMs + 1_000,
    maxRetries: 0,
    ...(connection.fetch ? { fetch: connection.fetch } : {}),
  });
}

/** Aborts one attempt after the configured timeout. */
export function attemptSignal(connection: OpenAiConnection): AbortSignal {
  return AbortSignal.timeout(connection.timeoutMs);
}

/** Runs `attempt` up to 1 + maxRetries times while it fails with a retryable AiProviderError. */
export async function withRetries<T>(attempt: () => Promise<T>, maxRetries: number, policy: RetryPolicy = {}): Promise<T> {
  const baseDelayMs = policy.baseDelayMs ?? 500;
  const maxDelayMs = policy.maxDelayMs ?? 8_000;
  const maxRetryAfterMs = policy.maxRetryAfterMs ?? 20_000;
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof AiProviderError) || !err.retryable || retry >= maxRetries) throw err;
      const retryAfter = err.details.retryAfterMs;
      if (retryAfter !== undefined && retryAfter > maxRetryAfterMs) throw err;
      const backoff = Math.min(baseDelayMs * 2 ** retry, maxDelayMs) * (1 - Math.random() * 0.25);
      await new Promise((resolve) => setTimeout(resolve, retryAfter ?? backoff));
    }
  }
}

/**
 * The openai package's errors as AiProviderError kinds: timeout, 408 -> timeout; 429 ->
 * rate_limited (with Retry-After); 5xx -> server; 401/403 -> auth; other 4xx -> bad_request;
 * refused/reset connections -> network; an unparsable 200 -> invalid_output.
 */
export function toAiProviderError(err: unknown, provider: string, model: string, signal?: AbortSignal): unknown {
  if (err instanceof AiProviderError) return err;
  const details = { provider, model };
  if (signal?.aborted || err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError) {
    return new AiProviderError('timeout', `${provider} (${model}) did not answer in time`, details);
  }
  if (err instanceof APIConnectionError) {
    const cause = err.cause as (Error & { code?: string; cause?: { code?: string } }) | undefined;
    const code = cause?.code ?? cause?.cause?.code;
    return new AiProviderError('network', `cannot reach ${provider} (${model})${code ? `: ${code}` : ''}: ${err.message}`, details);
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const withStatus = { ...details, status };
    const message = `${provider} (${model}) answered ${status}: ${err.message}`;
    if (status === 429) return new AiProviderError('rate_limited', message, { ...withStatus, retryAfterMs: retryAfterMs(err.headers) });
    if (status === 408) return new AiProviderError('timeout', message, withStatus);
    if (status >= 500) return new AiProviderError('server', message, withStatus);
    if (status === 401 || status === 403) return new AiProviderError('auth', message, withStatus);
    return new AiProviderError('bad_request', message, withStatus);
  }
  if (err instanceof SyntaxError) return new AiProviderError('invalid_output', `${provider} (${model}) answered with unparsable JSON: ${err.message}`, details);
  return err;
}

/** Retry-After-Ms (OpenAI), else Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
