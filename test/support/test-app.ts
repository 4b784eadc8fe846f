import { mkdtemp, rm } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { createApp } from '@app/bootstrap';
import { AppConfig, loadAppConfig } from '@app/config/app-config';
import { PG_POOL } from '@libs/database/database-backend';
import { createTestDatabase, TestDatabase } from './test-database';

/**
 * What every e2e app runs with unless a test says otherwise: no log output, a login rate limit
 * that many sign-ups in one test never reach, and no job runner (a test that needs the scheduled
 * jobs passes RUN_JOBS: 'true'). An override of `undefined` gives the app's own default.
 */
export const TEST_APP_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'silent',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  RUN_JOBS: 'false',
};

/** Where an app keeps its data: the config pointing at it, and (pg backend) the database itself. */
export interface TestAppDatabase {
  /** The pg backend's fresh database, with a pool of the test's own; undefined on the embedded backend. */
  db?: TestDatabase;
  env: { DATABASE_URL?: string; DATA_DIR: string };
  close(): Promise<void>;
}

/**
 * A database for several apps of one test file, one after another (a restart) or at once. On the
 * pg backend a fresh database cloned from the template; on the embedded backend the app starts
 * its own PGlite, in memory (it ends with that app) or, with `onDisk`, in a data directory the
 * next app opens again. `onDisk` also gives the pg backend a data directory, where the app keeps
 * a generated secrets key when SECRETS_KEYS is unset, so a restart can still read what it wrote.
 */
export async function createTestAppDatabase(options: { onDisk?: boolean; poolSize?: number } = {}): Promise<TestAppDatabase> {
  const db = process.env.TEST_DATABASE_URL ? await createTestDatabase(options.poolSize ?? 4) : undefined;
  const dataDir = options.onDisk ? await mkdtemp(join(tmpdir(), 'e2e-data-')) : undefined;
  return {
    db,
    env: { DATABASE_URL: db?.url, DATA_DIR: dataDir ?? 'memory://' },
    close: async () => {
      await db?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The configuration createTestApp gives an app on `database`; also for a CLI context on the same database. */
export function testAppConfig(database: TestAppDatabase, env: Record<string, string | undefined> = {}): AppConfig {
  return loadAppConfig({ ...database.env, ...TEST_APP_ENV, ...env });
}

export interface TestAppOptions {
  /** Configuration on top of TEST_APP_ENV and the database's DATABASE_URL / DATA_DIR. */
  env?: Record<string, string | undefined>;
  /** Run on this database and leave it open on close(); default: a fresh one, closed with the app. */
  database?: TestAppDatabase;
  /** Connections of the fresh pg database's own pool (`db.pool`); the app has a pool of its own. */
  poolSize?: number;
  extraModules?: Type[];
  /** The app's JSON log lines go into this array (the logger on); without it the app logs nothing. */
  logLines?: string[];
  /** Between creating the app and starting it: what must be in place before init (a test projection). */
  beforeInit?: (app: NestExpressApplication) => void | Promise<void>;
  /** Listen on a free port of 127.0.0.1 instead of only initialising: raw sockets, or one server for parallel requests. */
  listen?: boolean;
  /** process.env entries set before the app is built and restored by close(), for code that reads process.env itself. */
  processEnv?: Record<string, string>;
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** The app's own pool (PG_POOL), on either backend. */
  pool: Pool;
  /** The pg backend's test database; undefined on the embedded backend. */
  db?: TestDatabase;
  /** The port the app listens on (with `listen`). */
  port?: number;
  /** A supertest request on the app's server. */
  http(): ReturnType<typeof request>;
  /** Closes the app, then the database if the app made it, then restores `processEnv`. */
  close(): Promise<void>;
}

/**
 * The whole app on a fresh test database, as the e2e tests run it:
 *
 * ```ts
 * let testApp: TestApp;
 * beforeAll(async () => {
 *   testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN, IMPORT_MAX_FILE_MB: '1' } });
 * });
 * afterAll(() => testApp?.close());
 *
 * it('is ready', () => testApp.http().get('/health/ready').expect(200));
 * ```
 *
 * Several apps on one database: `const database = await createTestAppDatabase({ onDisk: true })`,
 * then `createTestApp({ database })` for each and `database.close()` after the last.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const restoreEnv = setProcessEnv(options.processEnv ?? {});
  let database: TestAppDatabase | undefined;
  let app: NestExpressApplication | undefined;
  // Only what this call made is closed by it: a database passed in stays for the next app.
  const release = async () => {
    if (database && database !== options.database) await database.close();
    restoreEnv();
  };
  try {
    database = options.database ?? (await createTestAppDatabase({ poolSize: options.poolSize }));
    const config = testAppConfig(database, options.env);
    const logLines = options.logLines;
    app = await createApp(config, {
      extraModules: options.extraModules,
      ...(logLines ? { logStream: { write: (line: string) => void logLines.push(line) } } : { logger: false }),
    });
    await options.beforeInit?.(app);
    if (options.listen) await app.listen(0, '127.0.0.1');
    else await app.init();
    const started = app;
    return {
      app: started,
      config,
      pool: started.get<Pool>(PG_POOL),
      db: database.db,
      port: options.listen ? (started.getHttpServer().address() as AddressInfo).port : undefined,
      http: () => request(started.getHttpServer()),
      close: async () => {
        try {
          await started.close();
        } finally {
          await release();
        }
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await release();
    throw err;
  }
}

/** Sets the entries and returns what puts the previous values back (unset ones deleted). */
function setProcessEnv(entries: Record<string, string>): () => void {
  const previous = Object.keys(entries).map((key) => [key, process.env[key]] as const);
  Object.assign(process.env, entries);
  return () => {
    for (const [key, value] of previous) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
