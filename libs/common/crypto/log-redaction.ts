/**
 * pino `redact` paths: credentials and secrets never reach a log line. pino-http does not log
 * bodies by default; these paths also cover a body or an object that a handler logs on purpose
 * (`logger.warn({ body })`, `logger.error({ err, credentials })`), one and two levels down.
 * Headers and URLs of requests are not redacted by path but serialized by an allow-list
 * (`logSerializers` below): a deny-list misses the next provider's secret header.
 */
const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'credentials',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'secret',
  'clientSecret',
  'privateKey',
];

export const LOG_REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `req.body.${f}`, `req.body.*.${f}`]),
];

export const REDACTED = '[Redacted]';

/**
 * Request headers that are logged; every other header is left out. None of these carries a
 * credential: authentication (Authorization, Cookie, X-API-Key, provider signatures and secret
 * tokens such as X-Telegram-Bot-Api-Secret-Token, Chatwoot's api_access_token) is never here.
 * Provider delivery ids, timestamps and retry counts are kept: they explain replays.
 */
export const LOGGED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'user-agent',
  'accept',
  'accept-encoding',
  'accept-language',
  'content-type',
  'content-length',
  'content-encoding',
  'origin',
  'referer',
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-real-ip',
  'idempotency-key',
  'if-match',
  'if-none-match',
  'x-slack-request-timestamp',
  'x-slack-retry-num',
  'x-slack-retry-reason',
  'x-chatwoot-delivery',
  'x-chatwoot-timestamp',
  'webhook-id',
  'webhook-timestamp',
  'x-delivery-id',
]);

/** Response headers that are logged (no Set-Cookie, nothing that could carry a token). */
export const LOGGED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'x-request-id',
  'etag',
  'location',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
]);

/**
 * Query parameters whose values are logged; others keep their name with the value redacted
 * (`?token=`, `?access_token=`, `?key=`, a provider's `?sig=`...). The list parameters of the
 * API are here so a logged URL still tells which page of what was asked.
 */
export const LOGGED_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'limit',
  'cursor',
  'q',
  'mode',
  'from',
  'to',
  'since',
  'until',
  'status',
  'state',
  'kind',
  'format',
  'source',
  'sourceId',
  'streamId',
  'streamType',
  'eventType',
  'actorId',
  'correlationId',
  'workspaceId',
  'topicId',
  'fromVersion',
  'toVersion',
  'name',
  'sort',
  'order',
  'includeArchived',
]);

function pick(headers: Record<string, unknown> | undefined, allowed: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const key = name.toLowerCase();
    if (!allowed.has(key)) continue;
    out[key] = key === 'referer' && typeof value === 'string' ? redactUrl(value) : value;
  }
  return out;
}

/**
 * The URL with the value of every query parameter outside LOGGED_QUERY_PARAMS replaced by
 * [Redacted] (names kept). Works on a path with a query (`/a?b=c`) and on an absolute URL.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const parts = query.split('&').map((part) => {
    if (part === '') return part;
    const eq = part.indexOf('=');
    if (eq < 0) return part;
    const rawName = part.slice(0, eq);
    let name: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      name = rawName;
    }
    return LOGGED_QUERY_PARAMS.has(name) ? part : `${rawName}=${REDACTED}`;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
  remotePort?: number;
}

/**
 * pino-http serializers (they receive pino's standard serialization): the request as id, method,
 * URL with redacted query values, allowed headers and the peer address. `query` and `params` are
 * dropped: the query is in the URL (redacted there), the params are in the path.
 */
export const logSerializers = {
  req(req: SerializedRequest): SerializedRequest {
    return {
      id: req.id,
      method: req.method,
      url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
      headers: pick(req.headers, LOGGED_REQUEST_HEADERS),
      remoteAddress: req.remoteAddress,
      remotePort: req.remotePort,
    };
  },
  res(res: { statusCode?: number; headers?: Record<string, unknown> }): { statusCode?: number; headers: Record<string, unknown> } {
    return { statusCode: res.statusCode, headers: pick(res.headers, LOGGED_RESPONSE_HEADERS) };
  },
};
