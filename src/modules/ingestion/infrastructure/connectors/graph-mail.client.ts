import { Client, Context, GraphError, Middleware, RetryHandler, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { OutboundGuard, outboundRefusalOf, readBodyCapped, ResponseTooLargeError } from '@libs/common/net/outbound-guard';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_RETRY_POLICY, parseRetryAfter, ProviderHttpOptions, statusText } from './provider-http';

export const GRAPH_DEFAULT_BASE_URL = 'https://graph.microsoft.com/v1.0';

/** The message fields a sync stores (delta answers only these, plus id and @removed). */
export const GRAPH_MESSAGE_FIELDS = [
  'subject', 'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'receivedDateTime', 'sentDateTime', 'conversationId', 'conversationIndex',
  'internetMessageId', 'body', 'bodyPreview', 'isRead', 'isDraft', 'importance', 'flag', 'hasAttachments', 'categories', 'parentFolderId',
] as const;

export interface GraphRecipient {
  emailAddress?: { name?: string | null; address?: string | null } | null;
}

/** A message as delta answers it ($select above); a removed one has only id and @removed. */
export interface GraphMessage {
  id: string;
  '@removed'?: { reason?: string };
  subject?: string | null;
  from?: GraphRecipient | null;
  toRecipients?: GraphRecipient[] | null;
  ccRecipients?: GraphRecipient[] | null;
  bccRecipients?: GraphRecipient[] | null;
  receivedDateTime?: string | null;
  sentDateTime?: string | null;
  conversationId?: string | null;
  conversationIndex?: string | null;
  internetMessageId?: string | null;
  body?: { contentType?: string | null; content?: string | null } | null;
  bodyPreview?: string | null;
  isRead?: boolean | null;
  isDraft?: boolean | null;
  importance?: string | null;
  flag?: { flagStatus?: string | null } | null;
  hasAttachments?: boolean | null;
  categories?: string[] | null;
  parentFolderId?: string | null;
}

export interface GraphDeltaPage {
  value: GraphMessage[];
  /** More pages of this round (carries a $skiptoken). */
  nextLink: string | null;
  /** The round is complete: the link of the next round (carries a $deltatoken). */
  deltaLink: string | null;
}

/**
 * Graph refused or failed. `status` and Graph's error `code` are for decisions (refresh on 401,
 * resync on 410); the message is fixed text with the method, path and status: never a byte of
 * Graph's own message.
 */
export class GraphMailError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string | null,
    message: string,
    /** 429 / 5xx / network: the next run may succeed. */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'GraphMailError';
  }
}

/** Smaller than any page: Graph's error answers are a few hundred bytes, only their code is read. */
const ERROR_BODY_BYTES = 64 * 1024;

/**
 * The last handler of the Graph client's chain: the connectors' guarded fetch (every connection
 * checked at connect time against CONNECTOR_ALLOWED_HOSTS), a timeout per attempt, the run's
 * abort signal, and the answer read capped (CONNECTOR_MAX_RESPONSE_BYTES) before the client parses it.
 */
class GuardedFetchHandler implements Middleware {
  /** What the last request threw here: the client wraps it in a GraphError that keeps only its name and text. */
  failure: unknown = null;

  constructor(
    private readonly fetchFn: typeof fetch,
    private readonly maxBytes: number,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  async execute(context: Context): Promise<void> {
    this.failure = null;
    try {
      await this.send(context);
    } catch (err) {
      this.failure = err;
      throw err;
    }
  }

  private async send(context: Context): Promise<void> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    const res = await this.fetchFn(context.request as string, { ...(context.options as RequestInit), signal, redirect: 'error' });
    const cap = res.ok ? this.maxBytes : ERROR_BODY_BYTES;
    let body: Buffer | null = null;
    if (res.status !== 204 && res.status !== 304) {
      try {
        body = await readBodyCapped(res, cap);
      } catch (err) {
        if (!(err instanceof ResponseTooLargeError)) throw err;
        if (res.ok) throw new GraphMailError(res.status, null, `Microsoft Graph's answer is larger than ${cap} bytes (CONNECTOR_MAX_RESPONSE_BYTES); it was not read`, false);
      }
    }
    context.response = new Response(body, { status: res.status, headers: res.headers });
  }
}

export interface GraphMailClientOptions extends ProviderHttpOptions {
  /** GRAPH_API_BASE_URL: scheme, host and version (https://graph.microsoft.com/v1.0). */
  apiBase?: string;
  signal?: AbortSignal;
}

/**
 * Microsoft Graph mail delta through the official client (@microsoft/microsoft-graph-client):
 * its RetryHandler waits out 429/503/504 (Retry-After honoured, up to the connectors' retry cap;
 * a longer wait fails the request so the next run resumes), and the chain ends in the connectors'
 * guarded fetch. The access token is per request (the caller refreshes it on a 401). Links Graph
 * hands back (nextLink, deltaLink) are followed only when they point at the configured base:
 * the token is never sent anywhere else.
 */
export class GraphMailClient {
  private readonly client: Client;
  private readonly transport: GuardedFetchHandler;
  readonly apiBase: string;
  private readonly signal?: AbortSignal;

  constructor(options: GraphMailClientOptions = {}) {
    this.signal = options.signal;
    this.apiBase = (options.apiBase || GRAPH_DEFAULT_BASE_URL).replace(/\/+$/, '');
    const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const fetchFn = options.fetch ?? (options.guard ?? new OutboundGuard()).fetch;
    const shouldRetry = (_delay: number, _attempt: number, _req: unknown, _opts: unknown, res: Response) => {
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      return wait === null || wait <= policy.maxRetryAfterMs;
    };
    const retry = new RetryHandler(new RetryHandlerOptions(1, Math.min(10, Math.max(0, policy.maxAttempts - 1)), shouldRetry));
    const slash = this.apiBase.lastIndexOf('/');
    this.transport = new GuardedFetchHandler(fetchFn, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, policy.timeoutMs, options.signal);
    this.client = Client.initWithMiddleware({
      middleware: [retry, this.transport],
      baseUrl: this.apiBase.slice(0, slash),
      defaultVersion: this.apiBase.slice(slash + 1),
    });
  }

  /** The first page of a new delta round of a folder (well-known name or id). */
  firstPage(token: string, folder: string, opts: { pageSize: number; receivedSince: string | null }): Promise<GraphDeltaPage> {
    let req = this.client.api(`/me/mailFolders/${encodeURIComponent(folder)}/messages/delta`).select([...GRAPH_MESSAGE_FIELDS]);
    // Delta takes one filter: receivedDateTime ge (then at most 5,000 messages, Graph's bound).
    if (opts.receivedSince) req = req.filter(encodeURIComponent(`receivedDateTime ge ${opts.receivedSince}`));
    return this.get(req, token, opts.pageSize, `GET /me/mailFolders/${folder}/messages/delta`);
  }

  /** A nextLink or deltaLink Graph answered. */
  follow(token: string, link: string, pageSize: number): Promise<GraphDeltaPage> {
    if (!link.startsWith(`${this.apiBase}/`)) throw new GraphMailError(null, null, 'Microsoft Graph answered a link outside GRAPH_API_BASE_URL; it was not followed', false);
    const path = link.slice(this.apiBase.length);
    return this.get(this.client.api(path), token, pageSize, `GET ${path.split('?')[0]}`);
  }

  private async get(req: ReturnType<Client['api']>, token: string, pageSize: number, what: string): Promise<GraphDeltaPage> {
    let body: Record<string, unknown>;
    try {
      // ImmutableId: a message keeps its id when it moves between folders (its external id here).
      body = await req.header('Authorization', `Bearer ${token}`).header('Prefer', `odata.maxpagesize=${pageSize}, IdType="ImmutableId"`).get();
    } catch (err) {
      throw translate(this.transport.failure ?? err, what, this.signal);
    }
    if (!body || !Array.isArray(body.value)) throw new GraphMailError(200, null, `Microsoft Graph answered an unexpected shape to ${what}: value is not a list`, false);
    const nextLink = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : null;
    const deltaLink = typeof body['@odata.deltaLink'] === 'string' ? body['@odata.deltaLink'] : null;
    if (!nextLink && !deltaLink) throw new GraphMailError(200, null, `Microsoft Graph answered ${what} without a nextLink or deltaLink`, false);
    return { value: (body.value as GraphMessage[]).filter((m) => m && typeof m.id === 'string'), nextLink, deltaLink };
  }
}

function translate(err: unknown, what: string, signal?: AbortSignal): Error {
  if (err instanceof GraphMailError) return err;
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
  if (err instanceof GraphError && err.statusCode > 0) {
    const status = err.statusCode;
    const transient = status === 429 || status >= 500;
    // Graph's code (e.g. syncStateNotFound) is kept for decisions; its message is not.
    const code = typeof err.code === 'string' && /^[A-Za-z0-9_.]{1,80}$/.test(err.code) ? err.code : null;
    return new GraphMailError(status, code, `Microsoft Graph answered ${statusText(status)} to ${what}`, transient);
  }
  const refused = outboundRefusalOf(err) ?? outboundRefusalOf((err as { cause?: unknown } | null)?.cause);
  if (refused) return new GraphMailError(null, null, `Microsoft Graph ${what} not sent: ${refused.message}`, false);
  if ((err as { name?: string } | null)?.name === 'TimeoutError') return new GraphMailError(null, null, `Microsoft Graph ${what}: no answer in time; the next run resumes`, true);
  return new GraphMailError(null, null, `Microsoft Graph ${what} failed: network error; the next run resumes`, true);
}
