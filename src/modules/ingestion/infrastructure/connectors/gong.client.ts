import { ProviderHttpClient, ProviderHttpError, ProviderHttpOptions } from './provider-http';
import { SlidingWindowRateLimiter } from './rate-limiter';

/**
 * Gong public API v2 (help.gong.io/apidocs): Basic auth with the access key and its secret;
 * 3 calls per second and 10,000 a day per company, 429 with Retry-After beyond; list endpoints
 * page with `records.cursor` (absent on the last page) and answer 404 when no call matches the
 * filter. Filter dates apply to the call's start: `fromDateTime` inclusive, `toDateTime` exclusive.
 */
export interface GongRecords {
  totalRecords?: number;
  currentPageSize?: number;
  currentPageNumber?: number;
  cursor?: string;
}

export interface GongParty {
  id?: string;
  emailAddress?: string;
  name?: string;
  title?: string;
  userId?: string;
  /** The id the transcript's monologues name. */
  speakerId?: string;
  affiliation?: string;
  [key: string]: unknown;
}

export interface GongCall {
  metaData: {
    id: string;
    title?: string;
    started?: string;
    scheduled?: string;
    duration?: number;
    url?: string;
    direction?: string;
    scope?: string;
    media?: string;
    language?: string;
    workspaceId?: string;
    [key: string]: unknown;
  };
  parties?: GongParty[];
  [key: string]: unknown;
}

export interface GongMonologue {
  speakerId: string;
  topic?: string | null;
  sentences: { start: number; end: number; text: string }[];
}

export interface GongCallTranscript {
  callId: string;
  transcript: GongMonologue[];
}

export interface GongFilter {
  fromDateTime?: string;
  toDateTime?: string;
  callIds?: string[];
  workspaceId?: string;
}

export interface GongCallsPage {
  records: GongRecords;
  calls: GongCall[];
}

export interface GongTranscriptsPage {
  records: GongRecords;
  callTranscripts: GongCallTranscript[];
}

export interface GongCredentials {
  accessKey: string;
  secretKey: string;
  baseUrl?: string;
}

export const GONG_DEFAULT_BASE_URL = 'https://api.gong.io';
export const GONG_CALLS_PER_SECOND = 3;
/** A second plus a margin: requests leave at the limiter's pace but reach Gong with network jitter. */
const GONG_RATE_WINDOW_MS = 1100;

/**
 * Gong counts calls per company, whatever client makes them: one limiter per account (base URL
 * and access key) for the whole process, so back-to-back runs do not each start a fresh budget.
 */
const limiters = new Map<string, SlidingWindowRateLimiter>();
function limiterFor(root: string, accessKey: string): SlidingWindowRateLimiter {
  const key = `${root}\u0000${accessKey}`;
  let limiter = limiters.get(key);
  if (!limiter) limiters.set(key, (limiter = new SlidingWindowRateLimiter(GONG_CALLS_PER_SECOND, GONG_RATE_WINDOW_MS)));
  return limiter;
}

export class GongClient {
  private readonly http: ProviderHttpClient;
  private readonly root: string;
  private readonly authorization: string;

  constructor(credentials: GongCredentials, options: ProviderHttpOptions = {}) {
    this.root = (credentials.baseUrl || GONG_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.http = new ProviderHttpClient('gong', { ...options, rateLimiter: options.rateLimiter ?? limiterFor(this.root, credentials.accessKey) });
    this.authorization = `Basic ${Buffer.from(`${credentials.accessKey}:${credentials.secretKey}`).toString('base64')}`;
  }

  /** GET /v2/workspaces: the cheapest authenticated call (one per proof of the credentials). */
  async workspaces(signal?: AbortSignal): Promise<{ id?: string; name?: string }[]> {
    const res = await this.http.json<{ workspaces?: { id?: string; name?: string }[] }>({ method: 'GET', url: `${this.root}/v2/workspaces`, headers: { authorization: this.authorization }, signal });
    if (!res.body || !Array.isArray(res.body.workspaces)) throw this.malformed('workspaces', 'workspaces is not a list');
    return res.body.workspaces;
  }

  /** POST /v2/calls/extensive with the parties (speakerId -> name, email): one page. */
  async calls(filter: GongFilter, cursor: string | undefined, signal?: AbortSignal): Promise<GongCallsPage> {
    const body = await this.post<{ records?: GongRecords; calls?: GongCall[] }>('/v2/calls/extensive', { ...(cursor ? { cursor } : {}), filter, contentSelector: { exposedFields: { parties: true } } }, signal);
    if (body === null) return { records: {}, calls: [] };
    if (!Array.isArray(body.calls)) throw this.malformed('calls', 'calls is not a list');
    return { records: body.records ?? {}, calls: body.calls };
  }

  /** POST /v2/calls/transcript: one page. */
  async transcripts(filter: GongFilter, cursor: string | undefined, signal?: AbortSignal): Promise<GongTranscriptsPage> {
    const body = await this.post<{ records?: GongRecords; callTranscripts?: GongCallTranscript[] }>('/v2/calls/transcript', { ...(cursor ? { cursor } : {}), filter }, signal);
    if (body === null) return { records: {}, callTranscripts: [] };
    if (!Array.isArray(body.callTranscripts)) throw this.malformed('transcripts', 'callTranscripts is not a list');
    return { records: body.records ?? {}, callTranscripts: body.callTranscripts };
  }

  /** The body, or null for Gong's 404 "no calls found corresponding to the provided filters". */
  private async post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T | null> {
    const res = await this.http.json<T>({ method: 'POST', url: `${this.root}${path}`, headers: { authorization: this.authorization }, body, acceptStatuses: [404], signal });
    if (res.status !== 404) return res.body;
    // Any other 404 (a wrong base URL, a moved route) must fail the sync, not look like "nothing new".
    const errors = (res.body as { errors?: unknown } | null)?.errors;
    if (Array.isArray(errors) && errors.some((e) => /no calls? found/i.test(String(e)))) return null;
    throw new ProviderHttpError('gong', 404, `Gong answered 404 Not Found to POST ${path}`, 1, false);
  }

  private malformed(what: string, why: string): ProviderHttpError {
    return new ProviderHttpError('gong', 200, `Gong answered an unexpected ${what} shape: ${why}`, 1, false);
  }
}
