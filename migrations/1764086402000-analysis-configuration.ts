import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analysis configuration read models (seed 003 llm_providers, agent_configs, task_configs,
 * agent_task_assignments, project_configs, each with workspace_id), rebuilt from the
 * `analysis-<kind>-<id>` streams. Names are unique per workspace through unique claims (the
 * streams are the lock), not through indexes: a rebuild applies a batch set-based, where an
 * upsert may meet a row its batch deletes later. The same holds for (agent_id, task_id).
 * `api_key_encrypted` holds SecretBox ciphertext (registered for `secrets rotate`), never a key.
 * `stream_version` is each item's ETag.
 */
export class AnalysisConfiguration1764086402000 implements MigrationInterface {
  name = 'AnalysisConfiguration1764086402000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analysis_llm_providers_view (
        id                 uuid PRIMARY KEY,
        workspace_id       uuid NOT NULL,
        name               text NOT NULL,
        type               text NOT NULL,
        base_url           text,
        api_key_encrypted  text,
        is_active          boolean NOT NULL DEFAULT true,
        validation_status  text NOT NULL DEFAULT 'pending',
        validation_error   text,
        validated_at       timestamptz,
        -- The latest validation attempt (a check of an older one is ignored).
        validation_attempt integer NOT NULL DEFAULT 0,
        stream_version     integer NOT NULL,
        created_by         text,
        created_at         timestamptz NOT NULL,
        updated_at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_llm_providers_ws_name_idx ON analysis_llm_providers_view (workspace_id, lower(name), id)`);
    await q.query(`
      CREATE TABLE analysis_agent_configs_view (
        id             uuid PRIMARY KEY,
        workspace_id   uuid NOT NULL,
        name           text NOT NULL,
        provider_id    uuid NOT NULL,
        model_name     text NOT NULL,
        system_prompt  text NOT NULL,
        description    text,
        temperature    double precision NOT NULL DEFAULT 0.7,
        max_tokens     integer,
        is_active      boolean NOT NULL DEFAULT true,
        stream_version integer NOT NULL,
        created_by     text,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_agent_configs_ws_name_idx ON analysis_agent_configs_view (workspace_id, lower(name), id)`);
    await q.query(`CREATE INDEX analysis_agent_configs_provider_idx ON analysis_agent_configs_view (provider_id)`);
    await q.query(`
      CREATE TABLE analysis_task_configs_view (
        id              uuid PRIMARY KEY,
        workspace_id    uuid NOT NULL,
        name            text NOT NULL,
        description     text,
        response_schema jsonb NOT NULL,
        is_active       boolean NOT NULL DEFAULT true,
        stream_version  integer NOT NULL,
        created_by      text,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_task_configs_ws_name_idx ON analysis_task_configs_view (workspace_id, lower(name), id)`);
    await q.query(`
      CREATE TABLE analysis_agent_task_assignments_view (
        id             uuid PRIMARY KEY,
        workspace_id   uuid NOT NULL,
        agent_id       uuid NOT NULL,
        task_id        uuid NOT NULL,
        is_active      boolean NOT NULL DEFAULT true,
        assigned_at    timestamptz NOT NULL,
        stream_version integer NOT NULL,
        created_by     text,
        updated_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_assignments_ws_idx ON analysis_agent_task_assignments_view (workspace_id, assigned_at, id)`);
    await q.query(`CREATE INDEX analysis_assignments_agent_task_idx ON analysis_agent_task_assignments_view (agent_id, task_id)`);
    await q.query(`CREATE INDEX analysis_assignments_task_idx ON analysis_agent_task_assignments_view (task_id)`);
    await q.query(`
      CREATE TABLE analysis_project_configs_view (
        id                   uuid PRIMARY KEY,
        workspace_id         uuid NOT NULL,
        name                 text NOT NULL,
        description          text NOT NULL,
        keywords             jsonb NOT NULL DEFAULT '[]'::jsonb,
        glossary             jsonb NOT NULL DEFAULT '{}'::jsonb,
        components           jsonb NOT NULL DEFAULT '[]'::jsonb,
        default_assignee_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
        pm_user_id           uuid NOT NULL,
        priority_rules       jsonb NOT NULL DEFAULT '{}'::jsonb,
        version              text NOT NULL,
        is_active            boolean NOT NULL DEFAULT true,
        stream_version       integer NOT NULL,
        created_by           text,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_project_configs_ws_name_idx ON analysis_project_configs_view (workspace_id, lower(name), id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['analysis_project_configs_view', 'analysis_agent_task_assignments_view', 'analysis_task_configs_view', 'analysis_agent_configs_view', 'analysis_llm_providers_view']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
