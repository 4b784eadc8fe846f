import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { withDatabase } from './template-database';
import { EmbeddedPostgres } from '@libs/database/embedded/embedded-postgres';
import { runMigrations } from '@libs/database/run-migrations';
import { allMigrations } from '@migrations/index';
import { DatabaseBackendKind } from '@libs/database/database-backend';

export interface TestDatabase {
  backend: DatabaseBackendKind;
  url: string;
  pool: Pool;
  close(): Promise<void>;
}

export { TEMPLATE_ENV } from './template-database';
import { TEMPLATE_ENV } from './template-database';

/**
 * One fresh, migrated database per test file. On the machine's PostgreSQL (TEST_DATABASE_URL)
 * it is cloned from a template migrated once per run (jest global setup); otherwise it is an
 * in-memory embedded PGlite served on a local port, exactly as `npm start` runs it.
 */
export async function createTestDatabase(poolSize = 20): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const template = process.env[TEMPLATE_ENV];
    if (!template) throw new Error('TEST_DATABASE_URL is set but the jest global setup did not create a template');
    const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.end();
    const url = withDatabase(serverUrl, name);
    const pool = new Pool({ connectionString: url, max: poolSize });
    let closing = false;
    // Idle clients still closing when the database is dropped WITH (FORCE) get 57P01; expected then.
    pool.on('error', (err: Error & { code?: string }) => {
      if (!(closing && err.code === '57P01')) console.error(`idle client error on ${name}:`, err);
    });
    return {
      backend: 'pg',
      url,
      pool,
      close: async () => {
        closing = true;
        await pool.end();
        const c = new Client({ connectionString: serverUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const embedded = await EmbeddedPostgres.start({ dataDir: 'memory://' });
  await runMigrations(embedded.url, allMigrations);
  // One connection: pglite-socket 0.2.17 interleaves extended-protocol messages of concurrent
  // connections outside transactions ("unnamed prepared statement does not exist"), and PGlite
  // has one backend anyway, so the embedded pool is a single connection (as in the app).
  const pool = new Pool({ connectionString: embedded.url, max: 1 });
  return {
    backend: 'embedded',
    url: embedded.url,
    pool,
    close: async () => {
      await pool.end();
      await embedded.stop();
    },
  };
}

