import { ProviderHttpClient, ProviderHttpError, ProviderHttpOptions } from './provider-http';
import { SlidingWindowRateLimiter } from './rate-limiter';

export const FATHOM_DEFAULT_BASE_URL = 'https://api.fathom.ai/external/v1';
/** Fathom's documented budget: 60 calls a minute per user (429 beyond). */
const FATHOM_CALLS_PER_MINUTE = 60;

/** A meeting as GET /meetings lists it (the same object the "new meeting content ready" webhook delivers). */
export type FathomMeeting = Record<string, unknown> & { recording_id?: number | string; created_at?: string };

export interface FathomMeetingsPage {
  items: FathomMeeting[];
  /** The next page's cursor; null on the last page. */
  nextCursor: string | null;
}

/** One limiter per API key for the process: back-to-back runs share Fathom's per-user budget. */
const limiters = new Map<string, SlidingWindowRateLimiter>();
function limiterFor(root: string, apiKey: string): SlidingWindowRateLimiter {
  const key = `${root}\u0000${apiKey}`;
  let limiter = limiters.get(key);
  if (!limiter) limiters.set(key, (limiter = new SlidingWindowRateLimiter(FATHOM_CALLS_PER_MINUTE, 61_000)));
  return limiter;
}

/**
 * Fathom public API (developers.fathom.ai): the API key in X-Api-Key; GET /meetings lists the
 * meetings the key's user recorded or that were shared with their team, newest first, filtered by
 * `created_after`, paged with `cursor` (the answer's `next_cursor`), with the transcript, the
 * summary and the action items when asked (`include_transcript`, `include_summary`,
 * `include_action_items`). Errors name the status only (ProviderHttpClient: 429 Retry-After waited).
 */
export class FathomClient {
  private readonly http: ProviderHttpClient;
  private readonly root: string;

  constructor(
    private readonly apiKey: string,
    options: ProviderHttpOptions & { apiBase?: string } = {},
  ) {
    this.root = (options.apiBase || FATHOM_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.http = new ProviderHttpClient('fathom', { ...options, rateLimiter: options.rateLimiter ?? limiterFor(this.root, apiKey) });
  }

  async meetings(query: { createdAfter: string | null; cursor: string | null }, signal?: AbortSignal): Promise<FathomMeetingsPage> {
    const params = new URLSearchParams({ include_transcript: 'true', include_summary: 'true', include_action_items: 'true' });
    if (query.createdAfter) params.set('created_after', query.createdAfter);
    if (query.cursor) params.set('cursor', query.cursor);
    const res = await this.http.json<{ items?: unknown; next_cursor?: unknown }>({ method: 'GET', url: `${this.root}/meetings?${params}`, headers: { 'x-api-key': this.apiKey }, signal });
    if (!res.body || !Array.isArray(res.body.items)) throw new ProviderHttpError('fathom', res.status, 'Fathom answered an unexpected meetings shape: items is not a list', 1, false);
    const next = res.body.next_cursor;
    return { items: res.body.items.filter((m): m is FathomMeeting => typeof m === 'object' && m !== null), nextCursor: typeof next === 'string' && next !== '' ? next : null };
  }
}
