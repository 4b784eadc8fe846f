import { STATUS_CODES } from 'node:http';
import { OutboundGuard, outboundRefusalOf, readBodyCapped, ResponseTooLargeError } from '@libs/common/net/outbound-guard';
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
  /** What errors name instead of the URL's path, when the path carries a secret (Telegram's /bot<token>/...). */
  describeAs?: string;
  /**
   * For providers whose status alone does not say what a refusal is (Google's 403 is a quota as
   * often as a missing scope): the refused answer's body is read (capped, parsed as JSON, null when
   * it is not) and this answers a reason code the caller knows, or null. A transient reason is
   * retried like a 429. Only the code goes into the error, never a byte of the body.
   */
  refusalReason?: (status: number, body: unknown) => { reason: string; transient: boolean } | null;
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

/** CONNECTOR_MAX_RESPONSE_BYTES' default: a provider page is far smaller; a larger answer is a broken or hostile server. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface ProviderHttpOptions {
  retry?: Partial<RetryPolicy>;
  rateLimiter?: SlidingWindowRateLimiter;
  /** The outbound guard every connection goes through (CONNECTOR_ALLOWED_HOSTS); a strict one (public addresses only) when absent. */
  guard?: OutboundGuard;
  /** Largest answer read (bytes); over it the request fails, not retried. */
  maxResponseBytes?: number;
  /** Replaces the guard's fetch (unit tests script the answers). */
  fetch?: typeof fetch;
  sleep?: Sleep;
  random?: () => number;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * A provider refused or kept failing. Its message is stored (job errors, the source's syncError,
 * which every member reads) and logged: it carries the method, the path, the status and a fixed
 * description, never credentials and never a byte of the provider's body (an internal server's
 * answer must not come back to the workspace).
 */
export class ProviderHttpError extends Error {
  constructor(
    readonly provider: string,
    readonly status: number | null,
    message: string,
    readonly attempts: number,
    /** The failure was transient (429, 5xx, network, timeout) but the attempts or the wait allowed ran out. */
    readonly transient: boolean,
    /** The provider's reason code, when the request's refusalReason recognised one. */
    readonly reason: string | null = null,
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

/** `500 Internal Server Error`: the standard reason phrase, not the server's own (which it chooses, like its body). */
export const statusText = (status: number) => `${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;

/** chatwoot -> Chatwoot, for messages people read. */
export const providerLabel = (provider: string) => provider.charAt(0).toUpperCase() + provider.slice(1);

let strictGuard: OutboundGuard | undefined;
/** Public addresses only: what a client built without the app's guard (a script, a test) gets. */
function defaultGuard(): OutboundGuard {
  return (strictGuard ??= new OutboundGuard());
}

/**
 * JSON over the outbound guard's fetch (undici; every connection checked at connect time, see
 * libs/common/net) for the connectors: answers read up to maxResponseBytes, a timeout per attempt, retries with
 * exponential backoff and jitter on 429 (honouring Retry-After), 408, 5xx, network errors and
 * timeouts, a bounded number of attempts, an optional client-side rate limiter, and the
 * caller's AbortSignal honoured everywhere (waits included). Other 4xx answers fail at once.
 */
export class ProviderHttpClient {
  private readonly policy: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly maxResponseBytes: number;
  private readonly label: string;

  constructor(
    readonly provider: string,
    private readonly options: ProviderHttpOptions = {},
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetchFn = options.fetch ?? (options.guard ?? defaultGuard()).fetch;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.label = providerLabel(provider);
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
  }

  async json<T>(req: ProviderRequest): Promise<ProviderResponse<T>> {
    const path = req.describeAs ?? safePath(req.url);
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      await this.options.rateLimiter?.acquire(req.signal);
      const timeout = AbortSignal.timeout(this.policy.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let failure: { status: number | null; reason: string; retryAfterMs: number | null; code?: string | null };
      try {
        const res = await this.fetchFn(req.url, {
          method: req.method,
          headers: { accept: 'application/json', ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers },
          body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
          signal,
          redirect: 'error',
        });
        const ok = res.ok || req.acceptStatuses?.includes(res.status);
        // Only an answer that is used is read (capped); an error's body is read only for a reason code, so it cannot leak anywhere.
        if (ok) return { status: res.status, body: parseJson<T>(await this.read(res, req.method, path, attempt), this.label, this.provider, req.method, path, res.status, attempt) };
        const refusal = req.refusalReason ? req.refusalReason(res.status, await readErrorJson(res)) : (await res.body?.cancel().catch(() => undefined), null);
        const said = `${statusText(res.status)}${refusal ? ` (${refusal.reason})` : ''}`;
        if (!refusal?.transient && !isTransientStatus(res.status)) {
          throw new ProviderHttpError(this.provider, res.status, `${this.label} answered ${said} to ${req.method} ${path}`, attempt, false, refusal?.reason ?? null);
        }
        failure = { status: res.status, reason: said, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), code: refusal?.reason ?? null };
      } catch (err) {
        if (err instanceof ProviderHttpError) throw err;
        if (req.signal?.aborted) throw req.signal.reason;
        const refused = outboundRefusalOf(err);
        // Not a transient failure: the address is not allowed, retrying cannot change it (and nothing was sent).
        if (refused) throw new ProviderHttpError(this.provider, null, `${this.label} ${req.method} ${path} not sent: ${refused.message}`, attempt, false);
        failure = { status: null, reason: timeout.aborted ? `no answer within ${this.policy.timeoutMs} ms` : describe(err), retryAfterMs: null };
      }
      if (failure.retryAfterMs !== null && failure.retryAfterMs > this.policy.maxRetryAfterMs) {
        throw new ProviderHttpError(this.provider, failure.status, `${this.label} asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s before ${req.method} ${path}; the next run resumes`, attempt, true, failure.code ?? null);
      }
      if (attempt >= this.policy.maxAttempts) {
        throw new ProviderHttpError(this.provider, failure.status, `${this.label} ${req.method} ${path} failed after ${attempt} attempts: ${failure.reason}`, attempt, true, failure.code ?? null);
      }
      const delayMs = failure.retryAfterMs ?? backoffDelay(attempt, this.policy, this.random);
      this.options.onRetry?.({ provider: this.provider, attempt, status: failure.status, delayMs, reason: failure.reason });
      await this.sleep(delayMs, req.signal);
    }
  }

  private async read(res: Response, method: string, path: string, attempt: number): Promise<string> {
    try {
      return (await readBodyCapped(res, this.maxResponseBytes)).toString('utf8');
    } catch (err) {
      if (err instanceof ResponseTooLargeError) {
        throw new ProviderHttpError(this.provider, res.status, `${this.label}'s answer to ${method} ${path} is larger than ${this.maxResponseBytes} bytes (CONNECTOR_MAX_RESPONSE_BYTES); it was not read`, attempt, false);
      }
      throw err;
    }
  }
}

/** A refusal's body for its reason code: at most 64 KB, JSON or null (never passed on as text). */
async function readErrorJson(res: Response): Promise<unknown> {
  try {
    return JSON.parse((await readBodyCapped(res, 64 * 1024)).toString('utf8'));
  } catch {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
}

function parseJson<T>(text: string, label: string, provider: string, method: string, path: string, status: number, attempt: number): T {
  if (text.trim() === '') return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProviderHttpError(provider, status, `${label} answered ${statusText(status)} to ${method} ${path} with a body that is not JSON`, attempt, false);
  }
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid url)';
  }
}

/** A network failure as a code (ECONNREFUSED, ENOTFOUND...): never the cause's text, which may name internal addresses. */
function describe(err: unknown): string {
  const code = (err as { cause?: { code?: unknown }; code?: unknown } | null)?.cause?.code ?? (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? `network error (${code})` : 'network error';
}
