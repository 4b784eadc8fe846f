import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled jobs and their runs (seed 002's `scheduled_jobs` and `worker_runs`; `job_id` is the
 * pg-boss job a run belongs to: its retries share it, and a manual run has its own). The queue
 * itself is pg-boss's: it creates and migrates its own schema `pgboss` when it starts, so its
 * tables are not declared here. DDL is idempotent (IF NOT EXISTS) so tests can apply it to a
 * database migrated without it.
 */
export class Jobs1764086400400 implements MigrationInterface {
  name = 'Jobs1764086400400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS scheduled_jobs (
        name        text PRIMARY KEY,
        schedule    text NOT NULL,
        description text NOT NULL DEFAULT '',
        enabled     boolean NOT NULL DEFAULT true,
        last_run_at timestamptz,
        next_run_at timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS worker_runs (
        id              uuid PRIMARY KEY,
        job_name        text NOT NULL,
        job_id          uuid,
        status          text NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
        started_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz,
        processed_count integer NOT NULL DEFAULT 0,
        error           text,
        meta            jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS worker_runs_job_started_idx ON worker_runs (job_name, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS worker_runs`);
    await q.query(`DROP TABLE IF EXISTS scheduled_jobs`);
  }
}
