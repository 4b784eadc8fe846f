import { z } from 'zod';

/**
 * Typed configuration, validated once at start-up. A bad value stops the process with a
 * message naming the variable, instead of failing later in a request.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

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
  /** Run durable subscriptions (projections, sagas) in this process; false for HTTP-only processes. */
  RUN_SUBSCRIPTIONS: bool.default(true),
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
  /** Temporary superuser credential for /api/v1/admin until identity lands; unset = admin API closed. */
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
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
  return parsed.data;
}
