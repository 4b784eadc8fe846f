/**
 * pino `redact` paths: credentials and secrets never reach a log line. pino-http does not log
 * bodies by default; these paths also cover a body or an object that a handler logs on purpose
 * (`logger.warn({ body })`, `logger.error({ err, credentials })`), one and two levels down.
 * A secret in a URL query string is not covered: APIs take secrets in headers or bodies only.
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
