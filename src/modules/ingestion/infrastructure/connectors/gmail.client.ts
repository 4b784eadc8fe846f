import { ProviderHttpClient, ProviderHttpError, ProviderHttpOptions } from './provider-http';

export const GMAIL_DEFAULT_API_BASE = 'https://gmail.googleapis.com';

/** users.getProfile (the fields used). */
export interface GmailProfile {
  emailAddress: string;
  messagesTotal?: number;
  historyId: string;
}

/** A message reference as messages.list and history.list answer it. */
export interface GmailMessageRef {
  id: string;
  threadId: string;
  labelIds?: string[];
}

/** messages.get with format=raw. */
export interface GmailRawMessage {
  id: string;
  threadId: string;
  labelIds?: string[];
  snippet?: string;
  historyId?: string;
  /** Epoch milliseconds, as a string. */
  internalDate?: string;
  sizeEstimate?: number;
  /** The RFC 822 message, base64url. */
  raw: string;
}

export interface GmailListPage {
  messages: GmailMessageRef[];
  nextPageToken: string | null;
  resultSizeEstimate: number;
}

export interface GmailHistoryRecord {
  id: string;
  messagesAdded?: { message: GmailMessageRef }[];
  messagesDeleted?: { message: GmailMessageRef }[];
}

export interface GmailHistoryPage {
  history: GmailHistoryRecord[];
  nextPageToken: string | null;
  /** The mailbox's current history id. */
  historyId: string;
}

/** Where the access token comes from: a linked account's, refreshed once when Google answers 401. */
export interface GmailAuth {
  token(): Promise<string>;
  /** Google refused `token` (401): a new one, or throws (the account must be reconnected). */
  rejected(token: string): Promise<string>;
}

/** Google's quota refusals: 429, and 403 with these reasons (developers.google.com/gmail/api/guides/handle-errors). */
const QUOTA_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'dailyLimitExceeded', 'quotaExceeded', 'concurrentLimitExceeded']);
const TRANSIENT_QUOTA = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'concurrentLimitExceeded']);
/** Reason codes worth naming in an error (a body's other reasons are not repeated). */
const KNOWN_REASONS = new Set([...QUOTA_REASONS, 'insufficientPermissions', 'authError', 'forbidden', 'notFound', 'failedPrecondition', 'invalidArgument', 'badRequest', 'domainPolicy', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT']);

/** Google's error body `{ error: { code, message, errors: [{ reason, domain }], status, details: [{ reason }] } }`: the first known reason. */
export function googleReason(status: number, body: unknown): { reason: string; transient: boolean } | null {
  const error = (body as { error?: { errors?: { reason?: unknown }[]; details?: { reason?: unknown }[] } } | null)?.error;
  const reasons = [...(error?.errors ?? []), ...(error?.details ?? [])].map((e) => e?.reason).filter((r): r is string => typeof r === 'string' && KNOWN_REASONS.has(r));
  if (reasons.includes('ACCESS_TOKEN_SCOPE_INSUFFICIENT') && !reasons.includes('insufficientPermissions')) reasons.unshift('insufficientPermissions');
  const reason = reasons.find((r) => r !== 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
  if (!reason) return null;
  return { reason, transient: (status === 403 || status === 429) && TRANSIENT_QUOTA.has(reason) };
}

/** What a person reads when the sync stops on a Google refusal: what failed and what to do, never Google's text. */
export class GmailError extends Error {
  constructor(
    readonly problem: 'reconnect' | 'permissions' | 'quota' | 'history-expired',
    message: string,
  ) {
    super(message);
    this.name = 'GmailError';
  }
}

export const GMAIL_RECONNECT =
  'Google no longer accepts the linked account\'s token: reconnect the Google account (link it again under /api/v1/me/oauth-accounts); the next sync resumes from the watermark';
export const GMAIL_PERMISSIONS =
  'Google refused to read the mailbox (insufficientPermissions): the linked Google account did not grant the gmail.readonly scope; reconnect it granting read access to Gmail';

/**
 * The Gmail REST calls of the sync (gmail/v1, users/me), plain JSON over the connectors'
 * ProviderHttpClient (outbound guard, capped answers, retries with backoff, Retry-After):
 * - 429 and 403 rateLimitExceeded / userRateLimitExceeded are retried with backoff (the body's
 *   reason is read for that, and only its code is kept); a daily quota spent fails the run;
 * - 401: the token is refreshed once (GmailAuth.rejected) and the call repeated; a second 401
 *   asks to reconnect the account;
 * - 403 insufficientPermissions: the scope is missing (reconnect granting gmail.readonly);
 * - history.list 404: the start history id is too old (Google keeps about a week): a GmailError
 *   'history-expired', on which the runner syncs the mailbox again in full.
 */
export class GmailClient {
  private readonly http: ProviderHttpClient;
  private readonly base: string;

  constructor(
    private readonly auth: GmailAuth,
    private readonly options: ProviderHttpOptions & { apiBase?: string; signal?: AbortSignal } = {},
  ) {
    this.http = new ProviderHttpClient('gmail', options);
    this.base = `${(options.apiBase ?? GMAIL_DEFAULT_API_BASE).replace(/\/+$/, '')}/gmail/v1/users/me`;
  }

  profile(): Promise<GmailProfile> {
    return this.get<GmailProfile>('/profile');
  }

  /** One page of messages.list (newest first), `q` and `labelIds` as Google reads them (several labels: all of them). */
  async list(opts: { q?: string; labelIds?: string[]; pageToken?: string | null; maxResults?: number }): Promise<GmailListPage> {
    const p = new URLSearchParams();
    if (opts.q) p.set('q', opts.q);
    for (const l of opts.labelIds ?? []) p.append('labelIds', l);
    if (opts.pageToken) p.set('pageToken', opts.pageToken);
    p.set('maxResults', String(opts.maxResults ?? 100));
    const r = await this.get<{ messages?: GmailMessageRef[]; nextPageToken?: string; resultSizeEstimate?: number }>(`/messages?${p}`);
    return { messages: r?.messages ?? [], nextPageToken: r?.nextPageToken || null, resultSizeEstimate: r?.resultSizeEstimate ?? 0 };
  }

  /** The raw message; null when Google no longer has it (deleted between the list and the fetch). */
  async raw(id: string): Promise<GmailRawMessage | null> {
    try {
      return await this.get<GmailRawMessage>(`/messages/${encodeURIComponent(id)}?format=raw`, '/messages/{id}');
    } catch (err) {
      if (err instanceof ProviderHttpError && err.status === 404) return null;
      throw err;
    }
  }

  /** One page of history.list after `startHistoryId`; GmailError 'history-expired' when Google no longer has it (404). */
  async history(startHistoryId: string, pageToken: string | null, maxResults = 500): Promise<GmailHistoryPage> {
    const p = new URLSearchParams({ startHistoryId, maxResults: String(maxResults) });
    // Label changes are not asked for: a stored message's labels are those it had when fetched.
    p.append('historyTypes', 'messageAdded');
    p.append('historyTypes', 'messageDeleted');
    if (pageToken) p.set('pageToken', pageToken);
    try {
      const r = await this.get<{ history?: GmailHistoryRecord[]; nextPageToken?: string; historyId?: string }>(`/history?${p}`);
      return { history: r?.history ?? [], nextPageToken: r?.nextPageToken || null, historyId: String(r?.historyId ?? startHistoryId) };
    } catch (err) {
      if (err instanceof ProviderHttpError && err.status === 404) throw new GmailError('history-expired', 'Gmail no longer has the history since the watermark (404): the mailbox is synced again in full');
      throw err;
    }
  }

  private async get<T>(pathAndQuery: string, describeAs?: string): Promise<T> {
    let token = await this.auth.token();
    for (let refreshed = false; ; refreshed = true) {
      try {
        const r = await this.http.json<T>({
          method: 'GET',
          url: `${this.base}${pathAndQuery}`,
          headers: { authorization: `Bearer ${token}` },
          signal: this.options.signal,
          describeAs: `/gmail/v1/users/me${describeAs ?? pathAndQuery.split('?')[0]}`,
          refusalReason: googleReason,
        });
        return r.body;
      } catch (err) {
        if (!(err instanceof ProviderHttpError)) throw err;
        if (err.status === 401 && !refreshed) {
          token = await this.auth.rejected(token);
          continue;
        }
        throw explain(err);
      }
    }
  }
}

/** A ProviderHttpError as what to do: reconnect, grant the scope, wait for the quota; others as they are (status and path only). */
function explain(err: ProviderHttpError): Error {
  if (err.status === 401) return new GmailError('reconnect', GMAIL_RECONNECT);
  if (err.status === 403 && err.reason === 'insufficientPermissions') return new GmailError('permissions', GMAIL_PERMISSIONS);
  if (err.status === 429 || (err.reason !== null && QUOTA_REASONS.has(err.reason))) {
    return new GmailError('quota', `Gmail's quota is spent for now (${err.reason ?? `HTTP ${err.status}`}): the sync stopped after ${err.attempts} attempt${err.attempts === 1 ? '' : 's'}; the next run resumes from the watermark`);
  }
  return err;
}
