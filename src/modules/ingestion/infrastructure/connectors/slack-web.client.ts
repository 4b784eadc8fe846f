import { createHash } from 'node:crypto';
import { ErrorCode, LogLevel, WebClient, type FetchFunction, type Logger as SlackLogger, type WebAPICallResult } from '@slack/web-api';
import { OutboundGuard, outboundRefusalOf, readBodyCapped, ResponseTooLargeError } from '@libs/common/net/outbound-guard';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_RETRY_POLICY, ProviderHttpError, ProviderHttpOptions, RetryPolicy } from './provider-http';
import { abortableSleep, SlidingWindowRateLimiter } from './rate-limiter';
import { SLACK_DEFAULT_API_BASE } from './slack.client';

/** A Slack message as conversations.history / conversations.replies answer it (the fields used). */
export interface SlackApiMessage {
  type?: string;
  subtype?: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text?: string;
  reply_count?: number;
  latest_reply?: string;
  edited?: { user?: string; ts?: string };
  [key: string]: unknown;
}

export interface SlackChannel {
  id: string;
  name: string | null;
}

export interface SlackPage<T> {
  items: T[];
  /** response_metadata.next_cursor; null on the last page. */
  nextCursor: string | null;
}

/**
 * Slack's rate-limit tiers (api.slack.com/apis/rate-limits), per method, workspace and app, in
 * calls a minute: the client stays under them so that a sync rarely earns a 429 at all.
 * (Apps not in the Marketplace created after May 2025 get far less on conversations.history and
 * .replies; Slack answers those with 429 + Retry-After, which is honoured as any other.)
 */
const TIER_PER_MINUTE: Record<string, number> = { 'users.conversations': 20, 'conversations.history': 50, 'conversations.replies': 50, 'users.info': 100 };
const limiters = new Map<string, SlidingWindowRateLimiter>();
function tierLimiter(apiBase: string, botToken: string, method: string): SlidingWindowRateLimiter | undefined {
  const perMinute = TIER_PER_MINUTE[method];
  if (!perMinute) return undefined;
  // One per token (a workspace's install of the app) and method, shared by every run of this process; keyed by a hash, not the token.
  const key = `${apiBase}|${createHash('sha256').update(botToken).digest('hex')}|${method}`;
  let limiter = limiters.get(key);
  if (!limiter) limiters.set(key, (limiter = new SlidingWindowRateLimiter(perMinute, 60_000)));
  return limiter;
}

/** Slack answered `ok: false`: `slackError` is Slack's error code (checked to be one), for callers that act on it. */
export class SlackApiError extends ProviderHttpError {
  constructor(
    readonly slackError: string,
    message: string,
    attempts: number,
  ) {
    super('slack', 200, message, attempts, false);
  }
}

/** Scopes worth naming: Slack's `needed` is echoed only when it looks like scopes. */
const SCOPES = /^[a-z]+(:[a-z.]+)+(,[a-z]+(:[a-z.]+)+)*$/;
const ERROR_CODE = /^[a-z_]{1,60}$/;
const RECONNECT = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'no_permission', 'team_access_not_granted']);

/** Slack's own logger would print request URLs and bodies (redacted, but still provider detail): only its warnings and errors, without arguments. */
const quietLogger = (): SlackLogger => {
  let level = LogLevel.ERROR;
  return { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, setLevel: (l) => (level = l), getLevel: () => level, setName: () => undefined };
};

/**
 * The Slack Web API calls of the history sync, through @slack/web-api's WebClient (form-encoded
 * POSTs, Bearer token, `ok:false` as WebAPIPlatformError, p-retry on network and HTTP failures):
 * - each method stays within its rate-limit tier (a sliding window per token and method);
 * - every request goes through the outbound guard's fetch (CONNECTOR_ALLOWED_HOSTS), with the
 *   run's AbortSignal and the answer read up to maxResponseBytes;
 * - rate limits (429 + Retry-After): the client is told to reject them (rejectRateLimitedCalls),
 *   so this class waits Retry-After itself, abortably, when it is within maxRetryAfterMs, and
 *   fails at once with a transient error when it is longer (the scheduled run resumes later)
 *   instead of WebClient's in-process wait of whatever Slack asks;
 * - errors become ProviderHttpErrors whose messages say what to do, and never carry a byte of
 *   Slack's body nor the token.
 */
export class SlackWebClient {
  private readonly client: WebClient;
  private readonly policy: RetryPolicy;
  private readonly limiterOf: (method: string) => SlidingWindowRateLimiter | undefined;

  constructor(
    botToken: string,
    private readonly options: ProviderHttpOptions & { apiBase?: string; signal?: AbortSignal } = {},
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const guard = options.guard ?? new OutboundGuard();
    const baseFetch = options.fetch ?? guard.fetch;
    const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const runSignal = options.signal;
    const fetchFn: FetchFunction = async (url, init = {}) => {
      const signal = runSignal && init.signal ? AbortSignal.any([runSignal, init.signal]) : (runSignal ?? init.signal);
      const res = await baseFetch(url, { ...init, signal, redirect: 'error' } as RequestInit);
      const body = await readBodyCapped(res, maxBytes);
      return new Response(body.length ? body : null, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
    const base = (options.apiBase ?? SLACK_DEFAULT_API_BASE).replace(/\/+$/, '') + '/';
    this.limiterOf = (method) => options.rateLimiter ?? tierLimiter(base, botToken, method);
    // p-retry's options as the client passes them on (its RetryOptions type names fewer than p-retry reads).
    const retryConfig = {
      retries: Math.max(0, this.policy.maxAttempts - 1),
      factor: 2,
      minTimeout: this.policy.baseDelayMs,
      maxTimeout: this.policy.maxDelayMs,
      randomize: true,
      // A stopped run (shutdown, lost lease) retries nothing: throwing here ends p-retry's loop at once.
      onFailedAttempt: () => runSignal?.throwIfAborted(),
    };
    this.client = new WebClient(botToken, {
      slackApiUrl: base,
      fetch: fetchFn,
      logger: quietLogger(),
      timeout: this.policy.timeoutMs,
      rejectRateLimitedCalls: true,
      allowAbsoluteUrls: false,
      maxRequestConcurrency: 1,
      retryConfig,
    });
  }

  /** The channels the bot is a member of (users.conversations: public and private), one page. */
  async memberChannels(cursor: string | null): Promise<SlackPage<SlackChannel>> {
    const r = await this.call<{ channels?: { id: string; name?: string }[] }>('users.conversations', { types: 'public_channel,private_channel', exclude_archived: true, limit: 200, cursor: cursor ?? undefined });
    return { items: (r.channels ?? []).map((c) => ({ id: String(c.id), name: typeof c.name === 'string' ? c.name : null })), nextCursor: next(r) };
  }

  /** One page of a channel's history after `oldest` (exclusive), newest first as Slack answers it. */
  async history(channel: string, oldest: string | null, cursor: string | null, limit = 200): Promise<SlackPage<SlackApiMessage>> {
    const r = await this.call<{ messages?: SlackApiMessage[] }>('conversations.history', { channel, oldest: oldest ?? undefined, inclusive: false, limit, cursor: cursor ?? undefined });
    return { items: r.messages ?? [], nextCursor: next(r) };
  }

  /** One page of a thread (the parent first, then replies oldest first). */
  async replies(channel: string, ts: string, cursor: string | null, limit = 200): Promise<SlackPage<SlackApiMessage>> {
    const r = await this.call<{ messages?: SlackApiMessage[] }>('conversations.replies', { channel, ts, limit, cursor: cursor ?? undefined });
    return { items: r.messages ?? [], nextCursor: next(r) };
  }

  /** A user's display name (users.info), null when Slack has none. */
  async userName(user: string): Promise<string | null> {
    const r = await this.call<{ user?: { name?: string; real_name?: string; profile?: { real_name?: string; display_name?: string } } }>('users.info', { user });
    const u = r.user ?? {};
    return nonEmpty(u.profile?.real_name) ?? nonEmpty(u.real_name) ?? nonEmpty(u.profile?.display_name) ?? nonEmpty(u.name);
  }

  private async call<T>(method: string, args: Record<string, unknown>): Promise<WebAPICallResult & T> {
    const clean = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
    for (let attempt = 1; ; attempt++) {
      this.options.signal?.throwIfAborted();
      await this.limiterOf(method)?.acquire(this.options.signal);
      try {
        return (await this.client.apiCall(method, clean)) as WebAPICallResult & T;
      } catch (err) {
        if (this.options.signal?.aborted) throw this.options.signal.reason ?? err;
        const code = (err as { code?: string }).code;
        if (code === ErrorCode.RateLimitedError) {
          const waitMs = Math.max(0, Number((err as { retryAfter?: number }).retryAfter ?? 0) * 1000);
          if (waitMs > this.policy.maxRetryAfterMs || attempt >= this.policy.maxAttempts) {
            throw new ProviderHttpError('slack', 429, `Slack rate-limited ${method} and asked to wait ${Math.round(waitMs / 1000)} s (more than this sync waits, or too many times): the next run resumes from the watermark`, attempt, true);
          }
          this.options.onRetry?.({ provider: 'slack', attempt, status: 429, delayMs: waitMs, reason: 'rate limited (Retry-After)' });
          await (this.options.sleep ?? abortableSleep)(waitMs, this.options.signal);
          continue;
        }
        throw describe(method, err, attempt);
      }
    }
  }
}

function next(r: WebAPICallResult): string | null {
  const c = r.response_metadata?.next_cursor;
  return typeof c === 'string' && c !== '' ? c : null;
}

const nonEmpty = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** What a person reads (job error, the source's syncError): what failed and what to do, no provider body. */
function describe(method: string, err: unknown, attempts: number): ProviderHttpError {
  const e = err as { code?: string; data?: { error?: unknown; needed?: unknown }; statusCode?: number; original?: unknown };
  switch (e.code) {
    case ErrorCode.PlatformError: {
      const code = typeof e.data?.error === 'string' && ERROR_CODE.test(e.data.error) ? e.data.error : 'not ok';
      if (code === 'missing_scope') {
        const needed = typeof e.data?.needed === 'string' && SCOPES.test(e.data.needed) ? e.data.needed : null;
        return new SlackApiError(code, `Slack refused ${method} (missing_scope): the bot token lacks the scope ${needed ?? 'that method needs'}; add it to the Slack app, reinstall the app and update the source's botToken`, attempts);
      }
      if (code === 'not_in_channel') return new SlackApiError(code, `Slack refused ${method} (not_in_channel): invite the bot to the channel (/invite @bot) or remove the channel from config.channels`, attempts);
      if (code === 'channel_not_found') return new SlackApiError(code, `Slack refused ${method} (channel_not_found): the channel does not exist or the bot cannot see it; check config.channels`, attempts);
      if (RECONNECT.has(code)) return new SlackApiError(code, `Slack no longer accepts the bot token (${method}: ${code}): reconnect the source with a valid botToken`, attempts);
      return new SlackApiError(code, `Slack refused ${method} (${code})`, attempts);
    }
    case ErrorCode.HTTPError: {
      const status = typeof e.statusCode === 'number' ? e.statusCode : null;
      return new ProviderHttpError('slack', status, `Slack answered ${method} with HTTP ${status ?? 'error'}`, attempts, status !== null && status >= 500);
    }
    default: {
      const cause = e.code === ErrorCode.RequestError ? e.original : err;
      const refusal = outboundRefusalOf(cause);
      if (refusal) return new ProviderHttpError('slack', null, `Slack ${method} was not sent: ${refusal.message}`, attempts, false);
      if (cause instanceof ResponseTooLargeError) return new ProviderHttpError('slack', null, `Slack's answer to ${method} was ${cause.message}`, attempts, false);
      return new ProviderHttpError('slack', null, `Slack could not be reached (${method}); the next run resumes from the watermark`, attempts, true);
    }
  }
}
