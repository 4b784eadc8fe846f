import { DataSource, MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/** Runs pending migrations on `url` with a short-lived DataSource (CLI, tests, start-up). */
export async function runMigrations(
  url: string,
  migrations: MigrationClass[],
): Promise<{ applied: string[] }> {
  const ds = new DataSource({ type: 'postgres', url, migrations, migrationsTableName: 'schema_migrations', logging: false });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return { applied: applied.map((m) => m.name) };
  } finally {
    await ds.destroy();
  }
}
