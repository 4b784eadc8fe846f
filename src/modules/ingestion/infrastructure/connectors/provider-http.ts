import { abortableSleep, SlidingWindowRateLimiter, Sleep } from './rate-limiter';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Base of the exponential backoff (attempt n waits about base * 2^(n-1), half of it jittered). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this fails the request at once (a daily quota is spent: the next run resumes). */
  maxRetryAfterMs: number;
  /** Per attempt, headers and body included. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000, timeoutMs: 30_000 };

export interface ProviderRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Statuses answered as a result rather than an error (e.g. Gong's 404 "no calls found"). */
  acceptStatuses?: number[];
  signal?: AbortSignal;
}

export interface ProviderResponse<T> {
  status: number;
  body: T;
}

export interface RetryNotice {
  provider: string;
  attempt: number;
  status: number | null;
  delayMs: number;
  reason: string;
}

export interface ProviderHttpOptions {
  retry?: Partial<RetryPolicy>;
  rateLimiter?: SlidingWindowRateLimiter;
  fetch?: typeof fetch;
  sleep?: Sleep;
  random?: () => number;
  onRetry?: (notice: RetryNotice) => void;
}

/** A provider refused or kept failing. Never carries credentials: only the method, the path and a short body excerpt. */
export class ProviderHttpError extends Error {
  constructor(
    readonly provider: string,
    readonly status: number | null,
    message: string,
    readonly attempts: number,
    /** The failure was transient (429, 5xx, network, timeout) but the attempts or the wait allowed ran out. */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'ProviderHttpError';
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3), in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half the step is fixed, half random, so retries of many clients spread out. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

const isTransientStatus = (status: number) => status === 429 || status === 408 || status >= 500;

/**
 * JSON over Node's fetch for the pull connectors: a timeout per attempt, retries with
 * exponential backoff and jitter on 429 (honouring Retry-After), 408, 5xx, network errors and
 * timeouts, a bounded number of attempts, an optional client-side rate limiter, and the
 * caller's AbortSignal honoured everywhere (waits included). Other 4xx answers fail at once.
 */
export class ProviderHttpClient {
  private readonly policy: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: Sleep;
  private readonly random: () => number;

  constructor(
    readonly provider: string,
    private readonly options: ProviderHttpOptions = {},
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetchFn = options.fetch ?? fetch;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
  }

  async json<T>(req: ProviderRequest): Promise<ProviderResponse<T>> {
    const path = safePath(req.url);
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      await this.options.rateLimiter?.acquire(req.signal);
      const timeout = AbortSignal.timeout(this.policy.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let failure: { status: number | null; reason: string; retryAfterMs: number | null };
      try {
        const res = await this.fetchFn(req.url, {
          method: req.method,
          headers: { accept: 'application/json', ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers },
          body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
          signal,
          redirect: 'error',
        });
        const text = await res.text();
        if (res.ok || req.acceptStatuses?.includes(res.status)) return { status: res.status, body: parseJson<T>(text, this.provider, req.method, path, res.status, attempt) };
        if (!isTransientStatus(res.status)) {
          throw new ProviderHttpError(this.provider, res.status, `${this.provider} answered ${res.status} to ${req.method} ${path}: ${excerpt(text)}`, attempt, false);
        }
        failure = { status: res.status, reason: `${res.status} ${excerpt(text)}`, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
      } catch (err) {
        if (err instanceof ProviderHttpError) throw err;
        if (req.signal?.aborted) throw req.signal.reason;
        failure = { status: null, reason: timeout.aborted ? `no answer within ${this.policy.timeoutMs} ms` : describe(err), retryAfterMs: null };
      }
      if (failure.retryAfterMs !== null && failure.retryAfterMs > this.policy.maxRetryAfterMs) {
        throw new ProviderHttpError(this.provider, failure.status, `${this.provider} asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s before ${req.method} ${path}; the next run resumes`, attempt, true);
      }
      if (attempt >= this.policy.maxAttempts) {
        throw new ProviderHttpError(this.provider, failure.status, `${this.provider} ${req.method} ${path} failed after ${attempt} attempts: ${failure.reason}`, attempt, true);
      }
      const delayMs = failure.retryAfterMs ?? backoffDelay(attempt, this.policy, this.random);
      this.options.onRetry?.({ provider: this.provider, attempt, status: failure.status, delayMs, reason: failure.reason });
      await this.sleep(delayMs, req.signal);
    }
  }
}

function parseJson<T>(text: string, provider: string, method: string, path: string, status: number, attempt: number): T {
  if (text.trim() === '') return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProviderHttpError(provider, status, `${provider} answered ${status} to ${method} ${path} with a body that is not JSON: ${excerpt(text)}`, attempt, false);
  }
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid url)';
  }
}

const excerpt = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}...` : text).replace(/\s+/g, ' ').trim();

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${err.message} (${cause.code})` : err.message;
}
