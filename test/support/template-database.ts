import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
// Relative imports: jest's global setup runs without the path aliases.
/* eslint-disable no-restricted-imports */
import { runMigrations } from '../../libs/database/run-migrations';
import { allMigrations } from '../../migrations';

export const TEMPLATE_ENV = 'CI_TEST_TEMPLATE_DB';

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Creates the migrated template database once per test run (pg backend only). */
export async function createTemplateDatabase(serverUrl: string): Promise<string> {
  const name = `tpl_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  await runMigrations(withDatabase(serverUrl, name), allMigrations);
  return name;
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
