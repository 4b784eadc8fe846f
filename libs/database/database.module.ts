import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Pool } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';
import { LeaseManager, WakeUpSignal } from './coordination/coordination.port';
import { InProcessLeaseManager, InProcessWakeUpSignal } from './coordination/in-process.coordination';
import { PostgresLeaseManager, PostgresWakeUpSignal } from './coordination/postgres.coordination';
import { DATABASE_BACKEND, DatabaseBackend, openDatabaseBackend, PG_POOL } from './database-backend';

export interface DatabaseModuleOptions {
  /** Unset: an embedded PGlite under dataDir (single process). */
  databaseUrl?: string;
  dataDir: string;
  embeddedPort?: number;
  poolSize: number;
  runMigrationsOnStart: boolean;
  migrations: (new () => MigrationInterface)[];
}

/** Stops the embedded database after everything that uses it has closed. */
@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    @Inject(DATABASE_BACKEND) private readonly backend: DatabaseBackend,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.moduleRef.get(WakeUpSignal, { strict: false }).close();
    const ds = this.moduleRef.get(DataSource, { strict: false });
    if (ds.isInitialized) await ds.destroy();
    await this.backend.stop();
    this.logger.log(`database closed (${this.backend.kind})`);
  }
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    const backendProvider = {
      provide: DATABASE_BACKEND,
      useFactory: () =>
        openDatabaseBackend({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, embeddedPort: options.embeddedPort }),
    };

    @Global()
    @Module({ providers: [backendProvider], exports: [DATABASE_BACKEND] })
    class DatabaseBackendModule {}

    return {
      module: DatabaseModule,
      imports: [
        DatabaseBackendModule,
        TypeOrmModule.forRootAsync({
          inject: [DATABASE_BACKEND],
          useFactory: (backend: DatabaseBackend) => ({
            type: 'postgres' as const,
            url: backend.url,
            // The embedded PGlite has one backend, and pglite-socket interleaves the protocol
            // messages of concurrent connections: one connection is both honest and safe.
            // A connection that cannot be made fails after 10 s instead of waiting forever.
            extra: { max: backend.kind === 'embedded' ? 1 : options.poolSize, connectionTimeoutMillis: 10_000 },
            migrations: options.migrations,
            migrationsRun: options.runMigrationsOnStart,
            migrationsTableName: 'schema_migrations',
            migrationsTransactionMode: 'each' as const,
            autoLoadEntities: true,
            synchronize: false,
            logging: false,
            retryAttempts: 3,
          }),
        }),
      ],
      providers: [
        {
          provide: PG_POOL,
          inject: [DataSource],
          // One pool for TypeORM and the raw-SQL hot paths (event store): the same connections.
          useFactory: (ds: DataSource) => (ds.driver as unknown as { master: Pool }).master,
        },
        {
          provide: WakeUpSignal,
          inject: [DATABASE_BACKEND, PG_POOL],
          useFactory: (backend: DatabaseBackend, pool: Pool) =>
            backend.kind === 'pg' ? new PostgresWakeUpSignal(pool, backend.url) : new InProcessWakeUpSignal(),
        },
        {
          provide: LeaseManager,
          inject: [DATABASE_BACKEND, PG_POOL],
          useFactory: (backend: DatabaseBackend, pool: Pool) =>
            backend.kind === 'pg' ? new PostgresLeaseManager(pool) : new InProcessLeaseManager(),
        },
        DatabaseLifecycle,
      ],
      exports: [TypeOrmModule, PG_POOL, WakeUpSignal, LeaseManager],
    };
  }
}
