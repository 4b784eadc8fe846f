import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analysis, usage part: who a model call was for, workspace LLM budgets, usage per user per day.
 *
 * - `llm_usage_logs.user_id`: the person a call was made for when the caller knows one (Ask);
 *   null for background work. Indexed with the workspace and time for the per-user reports.
 * - `analysis_llm_budgets_view`: the read model of the `analysis-budget-<workspaceId>` streams
 *   (a monthly USD limit per workspace, null once removed: the row keeps the version the next
 *   If-Match names), rebuilt from `analysis.llm-budget-*` events.
 * - `analysis_user_analytics`: seed 004 user_analytics (every column kept, workspace added, the
 *   integer user id a uuid). Its AI columns are recomputed from llm_usage_logs day by day, so
 *   refreshing a day twice, or rebuilding all of it, gives the same rows; the other columns are
 *   for the modules that count mail and contacts (0 until they do). `ai_tokens_used` is a
 *   bigint: a busy user's day of embeddings can pass an integer.
 */
export class AnalysisUsage1764086402200 implements MigrationInterface {
  name = 'AnalysisUsage1764086402200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE llm_usage_logs ADD COLUMN IF NOT EXISTS user_id uuid`);
    await q.query(`CREATE INDEX IF NOT EXISTS llm_usage_logs_workspace_user_created_idx ON llm_usage_logs (workspace_id, user_id, created_at) WHERE user_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS analysis_llm_budgets_view (
        workspace_id      uuid PRIMARY KEY,
        monthly_limit_usd numeric(14, 4) CHECK (monthly_limit_usd >= 0),
        stream_version    integer NOT NULL,
        updated_by        text,
        created_at        timestamptz NOT NULL,
        updated_at        timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS analysis_user_analytics (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id        uuid NOT NULL,
        user_id             uuid NOT NULL,
        date                date NOT NULL,
        emails_received     integer NOT NULL DEFAULT 0,
        emails_sent         integer NOT NULL DEFAULT 0,
        contacts_added      integer NOT NULL DEFAULT 0,
        ai_queries          integer NOT NULL DEFAULT 0,
        ai_tokens_used      bigint NOT NULL DEFAULT 0,
        active_time_seconds integer NOT NULL DEFAULT 0,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS analysis_user_analytics_unique ON analysis_user_analytics (workspace_id, user_id, date)`);
    await q.query(`CREATE INDEX IF NOT EXISTS analysis_user_analytics_workspace_date_idx ON analysis_user_analytics (workspace_id, date, user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS analysis_user_analytics`);
    await q.query(`DROP TABLE IF EXISTS analysis_llm_budgets_view`);
    await q.query(`DROP INDEX IF EXISTS llm_usage_logs_workspace_user_created_idx`);
    await q.query(`ALTER TABLE llm_usage_logs DROP COLUMN IF EXISTS user_id`);
  }
}
