import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analysis runs, their batches, task proposals and tasks: read models of the analysis runs part
 * (seed 003 analysis_runs, task_proposals, tasks + task_entities as one table). Every table is a
 * projection of `analysis.*` events and can be rebuilt from the log. Run counters of proposals
 * are counted from the proposals table when read, so concurrent reviews never lose an update.
 */
export class AnalysisRuns1764086402100 implements MigrationInterface {
  name = 'AnalysisRuns1764086402100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analysis_runs_view (
        id                        uuid PRIMARY KEY,
        workspace_id              uuid NOT NULL,
        status                    text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'reviewed', 'closed', 'failed', 'cancelled')),
        time_window_start         timestamptz NOT NULL,
        time_window_end           timestamptz NOT NULL,
        source_ids                uuid[] NOT NULL DEFAULT '{}',
        channels                  text[] NOT NULL DEFAULT '{}',
        agent_assignment_id       uuid NOT NULL,
        project_config_id         uuid,
        config_snapshot           jsonb NOT NULL,
        trigger_type              text NOT NULL,
        triggered_by_user_id      text,
        total_messages_in_window  integer NOT NULL DEFAULT 0,
        messages_after_prefilter  integer NOT NULL DEFAULT 0,
        prefiltered_out           jsonb NOT NULL DEFAULT '{}'::jsonb,
        batches_created           integer NOT NULL DEFAULT 0,
        error                     jsonb,
        accuracy_metrics          jsonb,
        created_at                timestamptz NOT NULL,
        started_at                timestamptz,
        completed_at              timestamptz,
        reviewed_at               timestamptz,
        closed_at                 timestamptz,
        failed_at                 timestamptz,
        cancelled_at              timestamptz,
        version                   integer NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_runs_ws_idx ON analysis_runs_view (workspace_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE analysis_run_batches_view (
        id                text PRIMARY KEY,
        run_id            uuid NOT NULL,
        workspace_id      uuid NOT NULL,
        batch_index       integer NOT NULL,
        message_ids       uuid[] NOT NULL,
        estimated_tokens  integer NOT NULL,
        status            text NOT NULL CHECK (status IN ('planned', 'completed', 'failed')),
        tasks_found       integer NOT NULL DEFAULT 0,
        dropped           integer NOT NULL DEFAULT 0,
        calls             integer NOT NULL DEFAULT 0,
        tokens_in         integer NOT NULL DEFAULT 0,
        tokens_out        integer NOT NULL DEFAULT 0,
        cost_usd          double precision NOT NULL DEFAULT 0,
        error             jsonb,
        finished_at       timestamptz
      )`);
    await q.query(`CREATE INDEX analysis_run_batches_run_idx ON analysis_run_batches_view (run_id, batch_index)`);
    // included_in_runs of a message: the runs whose batches hold it.
    await q.query(`CREATE INDEX analysis_run_batches_messages_idx ON analysis_run_batches_view USING gin (message_ids)`);
    await q.query(`
      CREATE TABLE analysis_task_proposals_view (
        id                                 uuid PRIMARY KEY,
        workspace_id                       uuid NOT NULL,
        analysis_run_id                    uuid NOT NULL,
        included_in_runs                   uuid[] NOT NULL,
        proposed_project_id                uuid,
        proposed_parent_id                 uuid,
        similar_task_id                    uuid,
        reviewed_by_user_id                text,
        proposed_title                     text NOT NULL,
        proposed_description               text NOT NULL,
        source_message_ids                 uuid[] NOT NULL,
        source_messages                    jsonb NOT NULL,
        message_count                      integer NOT NULL,
        time_span_seconds                  integer NOT NULL,
        confidence                         double precision NOT NULL,
        reasoning                          text NOT NULL,
        proposed_priority                  text NOT NULL CHECK (proposed_priority IN ('low', 'medium', 'high', 'critical')),
        proposed_category                  text NOT NULL CHECK (proposed_category IN ('bug', 'feature', 'improvement', 'question', 'chore')),
        llm_recommendation                 text NOT NULL CHECK (llm_recommendation IN ('new_task', 'update_existing', 'merge', 'reject')),
        status                             text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'merged')),
        similarity_type                    text NOT NULL CHECK (similarity_type IN ('exact_messages', 'semantic', 'none')),
        similarity_method                  text,
        proposed_tags                      jsonb NOT NULL,
        proposed_sub_tasks                 jsonb NOT NULL,
        diff_summary                       jsonb,
        project_keywords_matched           jsonb NOT NULL,
        similarity_score                   double precision,
        project_classification_confidence  double precision NOT NULL,
        owner_id                           text,
        due_date                           text,
        edited                             boolean NOT NULL DEFAULT false,
        reject_reason                      text,
        task_id                            uuid,
        created_at                         timestamptz NOT NULL,
        reviewed_at                        timestamptz,
        version                            integer NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_task_proposals_run_idx ON analysis_task_proposals_view (analysis_run_id, status, created_at, id)`);
    await q.query(`CREATE INDEX analysis_task_proposals_ws_idx ON analysis_task_proposals_view (workspace_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX analysis_task_proposals_messages_idx ON analysis_task_proposals_view USING gin (source_message_ids)`);
    await q.query(`CREATE INDEX analysis_task_proposals_runs_idx ON analysis_task_proposals_view USING gin (included_in_runs)`);
    await q.query(`
      CREATE TABLE analysis_tasks_view (
        id                   uuid PRIMARY KEY,
        workspace_id         uuid NOT NULL,
        title                text NOT NULL,
        description          text NOT NULL,
        category             text NOT NULL CHECK (category IN ('bug', 'feature', 'improvement', 'question', 'chore')),
        priority             text NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
        status               text NOT NULL CHECK (status IN ('open', 'in_progress', 'completed', 'closed')),
        source_id            uuid,
        source_message_id    uuid,
        message_ids          uuid[] NOT NULL,
        messages             jsonb NOT NULL,
        assigned_to          text,
        assignee_source      text CHECK (assignee_source IN ('extracted', 'project_default', 'manual')),
        created_by           text,
        ai_generated         boolean NOT NULL DEFAULT false,
        classification_data  jsonb,
        confidence_score     double precision,
        due_date             text,
        proposal_id          uuid,
        project_id           uuid,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz,
        version              integer NOT NULL
      )`);
    await q.query(`CREATE INDEX analysis_tasks_ws_idx ON analysis_tasks_view (workspace_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX analysis_tasks_open_idx ON analysis_tasks_view (workspace_id) WHERE status IN ('open', 'in_progress')`);
    // Who may own a task: analysis's own copy of the members and their names (from identity's events).
    await q.query(`CREATE TABLE analysis_users_view (id uuid PRIMARY KEY, name text NOT NULL, email text)`);
    await q.query(`CREATE TABLE analysis_workspace_members_view (id text PRIMARY KEY, workspace_id uuid NOT NULL, user_id uuid NOT NULL, role text NOT NULL)`);
    await q.query(`CREATE INDEX analysis_workspace_members_ws_idx ON analysis_workspace_members_view (workspace_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS analysis_workspace_members_view, analysis_users_view, analysis_tasks_view, analysis_task_proposals_view, analysis_run_batches_view, analysis_runs_view`);
  }
}
