import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { ProblemDetailsFilter } from '@libs/common/http/problem-details.filter';
import { requestIdFor } from '@libs/common/request-context/request-context.middleware';
import { DatabaseModule } from '@libs/database/database.module';
import { EventStoreModule } from '@libs/event-store/event-store.module';
import { EventSourcingModule } from '@libs/eventsourcing/eventsourcing.module';
import { allMigrations } from '@migrations/index';
import { AuditModule } from '@modules/audit/audit.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, extraModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            genReqId: requestIdFor as any,
            customProps: (req: any) => ({ requestId: req.id }),
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
            autoLogging: { ignore: (req: any) => typeof req.url === 'string' && req.url.startsWith('/health') },
          },
        }),
        ScheduleModule.forRoot(),
        TerminusModule,
        DatabaseModule.forRoot({
          databaseUrl: config.DATABASE_URL,
          dataDir: config.DATA_DIR,
          embeddedPort: config.EMBEDDED_DB_PORT,
          poolSize: config.DB_POOL_SIZE,
          runMigrationsOnStart: config.MIGRATIONS_RUN_ON_START,
          migrations: allMigrations,
        }),
        EventStoreModule.forRoot({ partitionMonthsAhead: config.EVENTS_PARTITION_MONTHS_AHEAD }),
        EventSourcingModule.forRoot({
          enabled: config.RUN_SUBSCRIPTIONS,
          rebuildSchedules: config.PROJECTION_REBUILD_SCHEDULES,
        }),
        AuditModule,
        ...extraModules,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
