import { z } from 'zod';
import { parseSecretKeys } from '@libs/common/crypto/secret-keys';
import { OutboundAllowList } from '@libs/common/net/address-policy';

/**
 * Typed configuration, validated once at start-up. A bad value stops the process with a
 * message naming the variable, instead of failing later in a request.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** PULL_SYNC_CONCURRENCY's default: provider rate limits differ (Gong 3 calls/s per account, Slack tiers per app). */
export const DEFAULT_PULL_SYNC_CONCURRENCY = 'slack=2,imap=4,gmail=4,microsoft365=4,chatwoot=2,gong=1,fathom=1,default=2';

/** `kind=n,...` (n from 1 to 100; `default` for the kinds not named) into a map with a `default` entry (2 when absent). */
export function parseSyncConcurrency(value: string): Record<string, number> {
  const out: Record<string, number> = { default: 2 };
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9_]+)\s*=\s*(\d+)$/i.exec(part);
    if (!m) throw new Error(`"${part}" is not kind=number`);
    const n = Number(m[2]);
    if (n < 1 || n > 100) throw new Error(`${m[1]}=${n}: the limit must be from 1 to 100`);
    out[m[1].toLowerCase()] = n;
  }
  return out;
}

export const appConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().default('./.data'),
  EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(16),
  MIGRATIONS_RUN_ON_START: bool.default(true),
  EVENTS_PARTITION_MONTHS_AHEAD: z.coerce.number().int().min(1).max(120).default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 1mb')
    .default('1mb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  // HTTP surface and idempotency (issue 11).
  /** Serve the OpenAPI document (/api/docs-json, /api/docs-yaml); unset: yes outside production, no in production (it maps every route). */
  OPENAPI_ENABLED: bool.optional(),
  /** Serve Swagger UI at /api/docs (only with the document; its inline scripts relax the CSP); unset: as OPENAPI_ENABLED. */
  SWAGGER_UI_ENABLED: bool.optional(),
  /** How long an Idempotency-Key's stored answer is kept and replayed; after that the key counts as new (purged hourly). */
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number().positive().max(8760).default(24),
  /** Largest export file POST /workspaces/:ws/imports accepts (multipart, kept in the OS temp dir while it is imported). */
  IMPORT_MAX_FILE_MB: z.coerce.number().int().min(1).max(1_048_576).default(1024),
  // Import limits (memory and CPU bounds of every import input; over one: 413 problem+json, or a failed job that keeps what it stored).
  /** Longest NDJSON line or CSV record, in bytes (a JSON array sent as NDJSON is one huge line). */
  IMPORT_MAX_LINE_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(4 * 1024 * 1024),
  /** Largest NDJSON / CSV body streamed to POST /messages/import (checked on Content-Length, then while streaming). */
  IMPORT_BODY_MAX_MB: z.coerce.number().int().min(1).max(1_048_576).default(256),
  /** Most entries in a Slack export zip. */
  IMPORT_ZIP_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** Largest uncompressed JSON entry of a Slack export zip (declared and actual bytes). */
  IMPORT_ZIP_MAX_ENTRY_MB: z.coerce.number().int().min(1).max(65_536).default(128),
  /** Largest total of uncompressed JSON entries of a Slack export zip (zip bombs). */
  IMPORT_ZIP_MAX_TOTAL_MB: z.coerce.number().int().min(1).max(1_048_576).default(4096),
  /** Largest JSON document parsed whole (Telegram result.json, json imports, a Slack export's JSON files). */
  IMPORT_JSON_MAX_MB: z.coerce.number().int().min(1).max(4096).default(128),
  /** HTML of one email turned into text and kept as bodyHtml, in characters; the rest is cut and the message flagged. */
  IMPORT_HTML_MAX_CHARS: z.coerce.number().int().min(1000).max(100_000_000).default(1_000_000),
  /** Largest single email (in an mbox or as an .eml file); a bigger one is rejected alone and the import goes on. */
  IMPORT_EMAIL_MAX_MB: z.coerce.number().int().min(1).max(1024).default(64),
  /** File imports and streamed NDJSON/CSV imports running at once per workspace (per app process); more answer 429. */
  IMPORT_MAX_CONCURRENT_PER_WORKSPACE: z.coerce.number().int().min(1).max(1000).default(3),
  /** Run durable subscriptions (projections, sagas) in this process; false for HTTP-only processes. */
  RUN_SUBSCRIPTIONS: bool.default(true),
  /** Work background jobs and run the scheduled jobs' crons in this process; false for HTTP-only processes. */
  RUN_JOBS: bool.default(true),
  /** When the pull sync scheduler looks for DUE sources (cron, UTC, 5 or 6 fields); each source keeps its own interval. */
  PULL_SYNC_CRON: z
    .string()
    .default('* * * * *')
    .refine((v) => [5, 6].includes(v.trim().split(/\s+/).length), 'must be a cron expression of 5 or 6 fields'),
  /** A pulled source's interval between two sync attempts when its config has no `syncIntervalMinutes`. */
  PULL_SYNC_DEFAULT_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** Syncs running at once per provider kind (across processes): `kind=n,...,default=n`. */
  PULL_SYNC_CONCURRENCY: z
    .string()
    .default(DEFAULT_PULL_SYNC_CONCURRENCY)
    .transform((v, ctx) => {
      try {
        return parseSyncConcurrency(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Syncs running at once in one process, every kind together. */
  PULL_SYNC_MAX_CONCURRENT: z.coerce.number().int().min(1).max(1000).default(8),
  /** Scheduled rebuilds: `name=cron;name2=cron`, e.g. `audit.stream-activity=0 4 * * 0`. */
  PROJECTION_REBUILD_SCHEDULES: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const out: Record<string, string> = {};
      for (const part of v.split(';').map((p) => p.trim()).filter(Boolean)) {
        const m = /^([\w.-]+)\s*=\s*(.+)$/.exec(part);
        if (!m || m[2].trim().split(/\s+/).length < 5) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not name=<cron expression>` });
          continue;
        }
        out[m[1]] = m[2].trim();
      }
      return out;
    }),
  // Identity: tokens, sign-up, abuse limits, the first superuser, mail.
  /** HS256 key for access tokens; unset = generated once and kept (encrypted) in the database. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** true: sign-up answers 202 and the account exists only once the emailed PIN is verified. */
  REQUIRE_EMAIL_VERIFICATION: bool.default(false),
  PIN_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  PIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  INVITATION_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(1440).default(60),
  /** Requests per minute per client address on /api/v1/auth/*. */
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  BOOTSTRAP_ADMIN_EMAIL: z.string().email('must be an email address').optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  /** smtp://user:pass@host:587 or smtps://...; unset = mail is kept in the mail_outbox table. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().default('Conversation Intelligence <no-reply@localhost>'),
  // Outbound connections (connectors; reusable by other outbound clients): see libs/common/net.
  /** Hosts and CIDRs outbound connections may reach although not public (loopback, private...), e.g. `127.0.0.1,localhost,10.0.0.0/8`; empty = public addresses only, in every mode. */
  CONNECTOR_ALLOWED_HOSTS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      try {
        OutboundAllowList.parse(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** Removed (replaced by CONNECTOR_ALLOWED_HOSTS): `true` stops the start-up with that hint; `false` is ignored. */
  CONNECTOR_ALLOW_PRIVATE_HOSTS: z
    .string()
    .optional()
    .refine((v) => v === undefined || !['true', '1', 'yes'].includes(v), 'was removed: list the private hosts connectors may reach in CONNECTOR_ALLOWED_HOSTS')
    .transform(() => undefined),
  /** Largest answer a connector reads from a provider (bytes, streamed: over it the request fails with a clear error). */
  CONNECTOR_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(32 * 1024 * 1024),
  /** Slack Web API base (GovSlack: https://slack-gov.com/api); used to prove a bot token's team (auth.test). */
  SLACK_API_BASE_URL: z.string().url('must be a URL').default('https://slack.com/api'),
  /** Telegram Bot API base (or a self-hosted Bot API server); used to prove a bot token's bot (getMe). */
  TELEGRAM_API_BASE_URL: z.string().url('must be a URL').default('https://api.telegram.org'),
  /** Microsoft Graph base with its version (national clouds have their own); the Microsoft 365 mail sync calls it. */
  GRAPH_API_BASE_URL: z.string().url('must be a URL').default('https://graph.microsoft.com/v1.0'),
  /** Fathom's public API base; the Fathom pull (meetings with transcripts) calls it. */
  FATHOM_API_BASE_URL: z.string().url('must be a URL').default('https://api.fathom.ai/external/v1'),
  // OAuth connect flows (Google, Microsoft, Slack): a provider without a client id is "not configured".
  /** Public base URL of this API as the browser reaches it; callbacks are <base>/api/v1/oauth/<provider>/callback (register them at the provider). Unset: no provider is configured. */
  OAUTH_CALLBACK_BASE_URL: z.string().url('must be a URL').optional(),
  /** Origin of the web app an absolute `returnTo` may point to (relative paths are always allowed); unset: the callback base URL's origin. */
  OAUTH_APP_ORIGIN: z.string().url('must be a URL').optional(),
  GOOGLE_OAUTH_CLIENT_ID: z.string().optional(),
  /** Secret: never logged, never answered. */
  GOOGLE_OAUTH_CLIENT_SECRET: z.string().optional(),
  GOOGLE_OAUTH_AUTHORIZATION_URL: z.string().url('must be a URL').default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_OAUTH_TOKEN_URL: z.string().url('must be a URL').default('https://oauth2.googleapis.com/token'),
  GOOGLE_OAUTH_REVOKE_URL: z.string().url('must be a URL').default('https://oauth2.googleapis.com/revoke'),
  GOOGLE_OAUTH_USERINFO_URL: z.string().url('must be a URL').default('https://openidconnect.googleapis.com/v1/userinfo'),
  /** The id_token issuer Google's tokens carry. */
  GOOGLE_OAUTH_ISSUER: z.string().default('https://accounts.google.com'),
  MICROSOFT_OAUTH_CLIENT_ID: z.string().optional(),
  /** Secret: never logged, never answered. */
  MICROSOFT_OAUTH_CLIENT_SECRET: z.string().optional(),
  /** common | organizations | consumers | a tenant id or domain. */
  MICROSOFT_OAUTH_TENANT: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be common, organizations, consumers or a tenant id/domain').default('common'),
  /** The Microsoft identity platform host: endpoints are <base>/<tenant>/oauth2/v2.0/{authorize,token}; the id_token issuer <base>/<tid>/v2.0. */
  MICROSOFT_OAUTH_BASE_URL: z.string().url('must be a URL').default('https://login.microsoftonline.com'),
  MICROSOFT_OAUTH_USERINFO_URL: z.string().url('must be a URL').default('https://graph.microsoft.com/oidc/userinfo'),
  SLACK_OAUTH_CLIENT_ID: z.string().optional(),
  /** Secret: never logged, never answered. */
  SLACK_OAUTH_CLIENT_SECRET: z.string().optional(),
  /** Slack's consent page; the code exchange (oauth.v2.access) and the revocation (auth.revoke) go to SLACK_API_BASE_URL. */
  SLACK_OAUTH_AUTHORIZATION_URL: z.string().url('must be a URL').default('https://slack.com/oauth/v2/authorize'),
  /** Gmail REST API base (gmail sources' sync: /gmail/v1/users/me/...); tests point it at a fake. */
  GMAIL_API_BASE_URL: z.string().url('must be a URL').default('https://gmail.googleapis.com'),
  /** Operator token: superuser on /api/v1/admin and read access to every workspace, for automation and break-glass; unset = none. */
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  // AI: the built-in offline engine and embedder by default; any OpenAI-compatible server when set.
  /** offline (built-in, no network) | openai (any OpenAI-compatible server: OpenAI, Ollama, vLLM). */
  LLM_PROVIDER: z.enum(['offline', 'openai']).default('offline'),
  /** Base URL of the OpenAI-compatible API, e.g. https://api.openai.com/v1 or http://localhost:11434/v1. */
  LLM_BASE_URL: z.string().url('must be a URL').optional(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** Retries of a model call on 429/5xx/timeouts inside one attempt (the embedding lifecycle retries later on top). */
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  EMBEDDINGS_PROVIDER: z.enum(['offline', 'openai']).default('offline'),
  /** Defaults to LLM_BASE_URL / LLM_API_KEY. */
  EMBEDDINGS_BASE_URL: z.string().url('must be a URL').optional(),
  EMBEDDINGS_API_KEY: z.string().optional(),
  /** Unset: offline-hashing-v1 for the offline embedder, text-embedding-3-small for openai. */
  EMBEDDINGS_MODEL: z.string().optional(),
  /** Unset: 384 for the offline embedder, 1536 for openai. Changing it needs `npm run cli -- knowledge reembed`. */
  EMBEDDING_DIMENSION: z.coerce.number().int().min(8).max(4000).optional(),
  /** Price table overrides, JSON: {"model": {"prompt": USD per 1M tokens, "completion": USD per 1M tokens}}. */
  LLM_PRICES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      try {
        const parsed = JSON.parse(v) as Record<string, { prompt: number; completion?: number }>;
        for (const [model, p] of Object.entries(parsed)) {
          if (typeof p?.prompt !== 'number' || (p.completion !== undefined && typeof p.completion !== 'number')) throw new Error(`${model}: needs {"prompt": number, "completion"?: number}`);
        }
        return parsed;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be JSON {"model": {"prompt": n, "completion": n}}: ${(err as Error).message}` });
        return z.NEVER;
      }
    }),
  // Knowledge: chunking, the embedding lifecycle, search.
  KNOWLEDGE_CHUNK_TOKENS: z.coerce.number().int().min(16).max(8192).default(200),
  KNOWLEDGE_CHUNK_OVERLAP: z.coerce.number().int().min(0).max(4096).default(40),
  /** Attempts before a chunk's embedding stays failed (the retry job backs off between them). */
  EMBEDDING_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** When failed embeddings are retried (cron, UTC). */
  EMBEDDING_RETRY_CRON: z.string().default('*/5 * * * *'),
  /** PostgreSQL text search configuration of full-text search (english, simple, german...). */
  SEARCH_TEXT_CONFIG: z.string().regex(/^[a-z_]+$/, 'must be a text search configuration name').default('english'),
  /**
   * Keyring of secrets at rest: `kid1:<base64 32 bytes>,kid2:<base64>`, the first one active.
   * Unset: embedded mode keeps a generated key in <DATA_DIR>/secrets.key; production on
   * DATABASE_URL refuses to start; dev/test on DATABASE_URL use an ephemeral key (warned).
   */
  SECRETS_KEYS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      try {
        return parseSecretKeys(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
});

export type AppConfig = z.infer<typeof appConfigSchema>;

export class InvalidConfigError extends Error {}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings from docker-compose or shells mean "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = appConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new InvalidConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // An OAuth client is a confidential one: an id without its secret could only fail at the first token exchange.
  const halfClients = (['GOOGLE', 'MICROSOFT', 'SLACK'] as const).filter((p) => parsed.data[`${p}_OAUTH_CLIENT_ID`] && !parsed.data[`${p}_OAUTH_CLIENT_SECRET`]);
  if (halfClients.length > 0) {
    throw new InvalidConfigError(`Invalid configuration:\n${halfClients.map((p) => `  ${p}_OAUTH_CLIENT_SECRET: required with ${p}_OAUTH_CLIENT_ID`).join('\n')}`);
  }
  if (parsed.data.NODE_ENV === 'production' && parsed.data.DATABASE_URL && !parsed.data.SECRETS_KEYS) {
    // The key must outlive the process and every app process must share it.
    throw new InvalidConfigError(
      'Invalid configuration:\n  SECRETS_KEYS: required in production with DATABASE_URL (e.g. SECRETS_KEYS=k1:$(openssl rand -base64 32))',
    );
  }
  return parsed.data;
}
