import { MigrationInterface, QueryRunner } from 'typeorm';

/** Lease rows for singleton consumers and jobs across several app processes. */
export class CoordinationLeases1764086400100 implements MigrationInterface {
  name = 'CoordinationLeases1764086400100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE coordination_leases (
        name        text PRIMARY KEY,
        holder      text NOT NULL,
        acquired_at timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS coordination_leases`);
  }
}
