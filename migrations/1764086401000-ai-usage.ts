import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * llm_usage_logs: one row per model call (libs/ai metering), seed 001's table plus the
 * workspace, provider, operation and outcome. Seed 001 spells the workflow column
 * `worfklow_name`; it is `workflow_name` here, the obvious intent.
 *
 * An append-only operational log like worker_runs: measurements of calls (tokens, latency,
 * cost), not domain decisions, so they are rows and not events. Failed calls are recorded too
 * (status error with the error kind), so retries and outages show in the costs and latencies.
 */
export class AiUsage1764086401000 implements MigrationInterface {
  name = 'AiUsage1764086401000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS llm_usage_logs (
        id                bigserial PRIMARY KEY,
        workspace_id      uuid,
        workflow_name     varchar(255) NOT NULL,
        node_name         varchar(255) NOT NULL,
        provider          text NOT NULL,
        model             varchar(255) NOT NULL,
        operation         text NOT NULL CHECK (operation IN ('chat', 'embedding')),
        status            text NOT NULL CHECK (status IN ('ok', 'error')),
        error_kind        text,
        prompt_tokens     integer NOT NULL DEFAULT 0,
        completion_tokens integer NOT NULL DEFAULT 0,
        total_tokens      integer NOT NULL DEFAULT 0,
        latency_ms        integer NOT NULL DEFAULT 0,
        cost              double precision NOT NULL DEFAULT 0,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'error') = (error_kind IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS llm_usage_logs_workspace_created_idx ON llm_usage_logs (workspace_id, created_at)`);
    await q.query(`CREATE INDEX IF NOT EXISTS llm_usage_logs_workflow_created_idx ON llm_usage_logs (workflow_name, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS llm_usage_logs`);
  }
}
