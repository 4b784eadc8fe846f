import { DataDirLock } from './embedded/data-dir-lock';
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
  /** The number in the embedded database's unix socket name (0 = 5432); it listens on no TCP port. */
  embeddedPort?: number;
}

export async function openDatabaseBackend(options: DatabaseBackendOptions): Promise<DatabaseBackend> {
  if (options.databaseUrl) {
    return { kind: 'pg', url: options.databaseUrl, stop: async () => undefined };
  }
  if (options.dataDir === 'memory://') {
    const embedded = await EmbeddedPostgres.start({ dataDir: 'memory://', port: options.embeddedPort });
    return { kind: 'embedded', url: embedded.url, stop: () => embedded.stop() };
  }
  const lock = DataDirLock.acquire(options.dataDir);
  try {
    // The socket next to the data it serves (a private directory; see EmbeddedPostgres).
    const embedded = await EmbeddedPostgres.start({ dataDir: `${options.dataDir}/pgdata`, socketDir: `${options.dataDir}/socket`, port: options.embeddedPort });
    return {
      kind: 'embedded',
      url: embedded.url,
      stop: async () => {
        await embedded.stop();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

export const DATABASE_BACKEND = Symbol('DATABASE_BACKEND');
export const PG_POOL = Symbol('PG_POOL');
