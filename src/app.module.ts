import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AiModule, AiSettings } from '@libs/ai/ai.module';
import { AuthModule } from '@libs/common/auth/auth.module';
import { CryptoModule } from '@libs/common/crypto/crypto.module';
import { LOG_REDACT_PATHS, logSerializers } from '@libs/common/crypto/log-redaction';
import { ProblemDetailsFilter } from '@libs/common/http/problem-details.filter';
import { requestIdFor } from '@libs/common/request-context/request-context.middleware';
import { DatabaseModule } from '@libs/database/database.module';
import { EventStoreModule } from '@libs/event-store/event-store.module';
import { EventSourcingModule } from '@libs/eventsourcing/eventsourcing.module';
import { JobsModule } from '@libs/jobs/jobs.module';
import { allMigrations } from '@migrations/index';
import { AdminModule } from '@modules/admin/admin.module';
import { AnalysisModule } from '@modules/analysis/analysis.module';
import { AuditModule } from '@modules/audit/audit.module';
import { IdentityModule, MembershipWorkspaceAccessPolicy } from '@modules/identity/identity.module';
import { IngestionModule } from '@modules/ingestion/ingestion.module';
import { KnowledgeModule } from '@modules/knowledge/knowledge.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, extraModules: Type[] = [], options: { logStream?: DestinationStream } = {}): DynamicModule {
    const pinoHttp = {
      level: config.LOG_LEVEL,
      genReqId: requestIdFor as any,
      customProps: (req: any) => ({ requestId: req.id }),
      // Requests and responses by an allow-list of headers (and query values redacted unless
      // known harmless); password/token/credentials fields anywhere else by path.
      serializers: logSerializers,
      redact: LOG_REDACT_PATHS,
      autoLogging: { ignore: (req: any) => typeof req.url === 'string' && req.url.startsWith('/health') },
    };
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        // stdout, or the caller's stream (tests read the lines back).
        LoggerModule.forRoot({ pinoHttp: options.logStream ? [pinoHttp, options.logStream] : pinoHttp }),
        ScheduleModule.forRoot(),
        TerminusModule,
        CryptoModule.forRoot({
          keys: config.SECRETS_KEYS,
          databaseUrl: config.DATABASE_URL,
          dataDir: config.DATA_DIR,
          nodeEnv: config.NODE_ENV,
        }),
        DatabaseModule.forRoot({
          databaseUrl: config.DATABASE_URL,
          dataDir: config.DATA_DIR,
          embeddedPort: config.EMBEDDED_DB_PORT,
          poolSize: config.DB_POOL_SIZE,
          runMigrationsOnStart: config.MIGRATIONS_RUN_ON_START,
          migrations: allMigrations,
        }),
        EventStoreModule.forRoot({ partitionMonthsAhead: config.EVENTS_PARTITION_MONTHS_AHEAD, idempotencyTtlHours: config.IDEMPOTENCY_KEY_TTL_HOURS }),
        EventSourcingModule.forRoot({
          enabled: config.RUN_SUBSCRIPTIONS,
          rebuildSchedules: config.PROJECTION_REBUILD_SCHEDULES,
        }),
        JobsModule.forRoot({ enabled: config.RUN_JOBS, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS }),
        AuthModule.forRoot({ adminToken: config.ADMIN_TOKEN, policy: MembershipWorkspaceAccessPolicy }),
        IdentityModule.forRoot(identitySettings(config)),
        AiModule.forRoot(aiSettings(config)),
        IngestionModule,
        KnowledgeModule,
        AnalysisModule,
        AuditModule,
        AdminModule,
        ...extraModules,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}

/** The AI settings of the app's configuration (also the CLI's). */
export function aiSettings(config: AppConfig): AiSettings {
  return {
    llm: { provider: config.LLM_PROVIDER, baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: config.LLM_MODEL, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: config.LLM_MAX_RETRIES },
    embeddings: {
      provider: config.EMBEDDINGS_PROVIDER,
      baseUrl: config.EMBEDDINGS_BASE_URL ?? config.LLM_BASE_URL,
      apiKey: config.EMBEDDINGS_API_KEY ?? config.LLM_API_KEY,
      model: config.EMBEDDINGS_MODEL,
      dimension: config.EMBEDDING_DIMENSION,
      timeoutMs: config.LLM_TIMEOUT_MS,
      maxRetries: config.LLM_MAX_RETRIES,
    },
    prices: config.LLM_PRICES,
  };
}

function identitySettings(config: AppConfig) {
  return {
    jwtSecret: config.JWT_SECRET,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    requireEmailVerification: config.REQUIRE_EMAIL_VERIFICATION,
    pinTtlMinutes: config.PIN_TTL_MINUTES,
    pinMaxAttempts: config.PIN_MAX_ATTEMPTS,
    loginMaxFailures: config.LOGIN_MAX_FAILURES,
    loginLockMinutes: config.LOGIN_LOCK_MINUTES,
    invitationTtlDays: config.INVITATION_TTL_DAYS,
    passwordResetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES,
    authRateLimitPerMinute: config.AUTH_RATE_LIMIT_PER_MINUTE,
    adminToken: config.ADMIN_TOKEN,
    bootstrapAdmin:
      config.BOOTSTRAP_ADMIN_EMAIL && config.BOOTSTRAP_ADMIN_PASSWORD ? { email: config.BOOTSTRAP_ADMIN_EMAIL, password: config.BOOTSTRAP_ADMIN_PASSWORD } : undefined,
    smtp: config.SMTP_URL ? { url: config.SMTP_URL, from: config.MAIL_FROM } : undefined,
  };
}
