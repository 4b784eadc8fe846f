import { EmbeddedPostgres } from './embedded/embedded-postgres';

export type DatabaseBackendKind = 'pg' | 'embedded';

/** Where the database lives: an external PostgreSQL, or the embedded one this process started. */
export interface DatabaseBackend {
  readonly kind: DatabaseBackendKind;
  readonly url: string;
  stop(): Promise<void>;
}

export interface DatabaseBackendOptions {
  databaseUrl?: string;
  dataDir: string;
  embeddedPort?: number;
}

export async function openDatabaseBackend(options: DatabaseBackendOptions): Promise<DatabaseBackend> {
  if (options.databaseUrl) {
    return { kind: 'pg', url: options.databaseUrl, stop: async () => undefined };
  }
  const embedded = await EmbeddedPostgres.start({
    dataDir: options.dataDir === 'memory://' ? 'memory://' : `${options.dataDir}/pgdata`,
    port: options.embeddedPort,
  });
  return { kind: 'embedded', url: embedded.url, stop: () => embedded.stop() };
}

export const DATABASE_BACKEND = Symbol('DATABASE_BACKEND');
export const PG_POOL = Symbol('PG_POOL');
