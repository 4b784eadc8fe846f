import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analysis, AI agents part: read models of classification experiments (seed 003
 * classification_experiments), AI agents (seed 004 ai_agents) and their executions (seed 004
 * agent_executions), every field of the seed plus workspace_id. All three are projections of
 * `analysis.*` events and can be rebuilt from the log.
 */
export class AnalysisAgents1764086402300 implements MigrationInterface {
  name = 'AnalysisAgents1764086402300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analysis_classification_experiments_view (
        id                     uuid PRIMARY KEY,
        workspace_id           uuid NOT NULL,
        provider_id            uuid NOT NULL,
        model_name             text NOT NULL,
        message_count          integer NOT NULL,
        status                 text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
        -- What was asked: { kind: 'topics' } or { kind: 'labels', labels }, and the labelled messages.
        label_source           jsonb NOT NULL,
        messages               jsonb NOT NULL,
        -- The label set as it was when the experiment started.
        topics_snapshot        jsonb,
        confusion_matrix       jsonb,
        classification_results jsonb,
        -- Per-label precision/recall/F1, macro-F1, correct count (experiment-metrics.ts).
        metrics                jsonb,
        accuracy               double precision,
        macro_f1               double precision,
        avg_confidence         double precision,
        avg_execution_time_ms  double precision,
        error_message          text,
        requested_by           uuid,
        created_at             timestamptz NOT NULL,
        updated_at             timestamptz NOT NULL,
        started_at             timestamptz,
        completed_at           timestamptz
      )`);
    await q.query(`CREATE INDEX analysis_experiments_ws_created_idx ON analysis_classification_experiments_view (workspace_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE analysis_ai_agents_view (
        id             uuid PRIMARY KEY,
        workspace_id   uuid NOT NULL,
        user_id        uuid,
        name           text NOT NULL,
        description    text,
        type           text NOT NULL CHECK (type IN ('assistant', 'enrichment', 'email')),
        config         jsonb NOT NULL,
        skills         text[] NOT NULL DEFAULT '{}',
        memory         jsonb NOT NULL DEFAULT '{"entries": {}}',
        is_active      boolean NOT NULL DEFAULT true,
        stream_version integer NOT NULL,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_ai_agents_ws_name_idx ON analysis_ai_agents_view (workspace_id, lower(name), id)`);
    // The event-trigger consumer and the schedules look up active agents with triggers.
    await q.query(`CREATE INDEX analysis_ai_agents_triggers_idx ON analysis_ai_agents_view (workspace_id) WHERE is_active AND (jsonb_array_length(config->'events') > 0 OR config->>'schedule' IS NOT NULL)`);
    await q.query(`
      CREATE TABLE analysis_agent_executions_view (
        id            uuid PRIMARY KEY,
        workspace_id  uuid NOT NULL,
        agent_id      uuid NOT NULL,
        trigger_type  text NOT NULL CHECK (trigger_type IN ('manual', 'scheduled', 'event')),
        trigger_data  jsonb,
        status        text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
        input         jsonb NOT NULL,
        output        jsonb,
        error         text,
        requested_by  uuid,
        started_at    timestamptz,
        completed_at  timestamptz,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_executions_agent_idx ON analysis_agent_executions_view (agent_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX analysis_executions_status_idx ON analysis_agent_executions_view (workspace_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE analysis_agent_executions_view`);
    await q.query(`DROP TABLE analysis_ai_agents_view`);
    await q.query(`DROP TABLE analysis_classification_experiments_view`);
  }
}
