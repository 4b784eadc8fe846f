import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { PG_POOL } from '@libs/database/database-backend';
import type { AgentExecutionRow } from '@modules/analysis/projections/agent-executions.projection';
import type { AiAgentRow } from '@modules/analysis/projections/ai-agents.projection';
import type { ClassificationExperimentRow } from '@modules/analysis/projections/classification-experiments.projection';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const newestCursor = (kind: string) => cursorCodec(kind, z.tuple([cursorPart.timestamp, cursorPart.uuid]));
const experimentCursor = newestCursor('analysis.experiments');
const executionCursor = newestCursor('analysis.agent-executions');
const agentCursor = cursorCodec('analysis.ai-agents', z.tuple([cursorPart.text(400), cursorPart.uuid]));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A path id that is not a uuid names nothing (404), never a 500 from the cast. */
const isId = (id: string) => UUID.test(id);

/** The read side of the AI agents part: every SQL it reads with, in one place. */
@Injectable()
export class AiAgentsQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async experiment(workspaceId: string, id: string): Promise<ClassificationExperimentRow | null> {
    if (!isId(id)) return null;
    const res = await this.pool.query<ClassificationExperimentRow>(`SELECT * FROM analysis_classification_experiments_view WHERE id = $1 AND workspace_id = $2`, [id, workspaceId]);
    return res.rows[0] ?? null;
  }

  /** Newest first; the list leaves the per-message results and messages out (GET one has them). */
  async experiments(workspaceId: string, page: { limit: number; cursor?: string }): Promise<Page<ClassificationExperimentRow>> {
    const [at, id] = page.cursor ? experimentCursor.decode(page.cursor) : [null, null];
    const res = await this.pool.query<ClassificationExperimentRow & { created_key: string }>(
      `SELECT id, workspace_id, provider_id, model_name, message_count, status, label_source, topics_snapshot, confusion_matrix, metrics,
              accuracy, macro_f1, avg_confidence, avg_execution_time_ms, error_message, requested_by, created_at, updated_at, started_at, completed_at,
              created_at::text AS created_key
         FROM analysis_classification_experiments_view
        WHERE workspace_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $4`,
      [workspaceId, at, id, page.limit + 1],
    );
    return this.page(res.rows, page.limit, (r) => experimentCursor.encode([r.created_key, r.id]));
  }

  async agent(workspaceId: string, id: string): Promise<AiAgentRow | null> {
    if (!isId(id)) return null;
    const res = await this.pool.query<AiAgentRow>(`SELECT * FROM analysis_ai_agents_view WHERE id = $1 AND workspace_id = $2`, [id, workspaceId]);
    return res.rows[0] ?? null;
  }

  /** The agents of one owner (agents are their owner's; no owner, no agents). */
  async agents(workspaceId: string, ownerId: string, page: { limit: number; cursor?: string }): Promise<Page<AiAgentRow>> {
    const [name, id] = page.cursor ? agentCursor.decode(page.cursor) : [null, null];
    const res = await this.pool.query<AiAgentRow & { name_key: string }>(
      `SELECT *, lower(name) AS name_key FROM analysis_ai_agents_view
        WHERE workspace_id = $1 AND user_id = $5 AND ($2::text IS NULL OR (lower(name), id) > ($2::text, $3::uuid))
        ORDER BY lower(name), id
        LIMIT $4`,
      [workspaceId, name, id, page.limit + 1, ownerId],
    );
    return this.page(res.rows, page.limit, (r) => agentCursor.encode([r.name_key, r.id]));
  }

  /** Active agents of these workspaces that name event types to run on. */
  async eventTriggeredAgents(workspaceIds: string[]): Promise<Pick<AiAgentRow, 'id' | 'workspace_id' | 'user_id' | 'config' | 'created_at'>[]> {
    if (workspaceIds.length === 0) return [];
    const res = await this.pool.query(
      `SELECT id, workspace_id, user_id, config, created_at FROM analysis_ai_agents_view
        WHERE workspace_id = ANY($1::uuid[]) AND is_active AND jsonb_array_length(config->'events') > 0`,
      [workspaceIds],
    );
    return res.rows;
  }

  /** Every active agent with a schedule (each process registers their jobs). */
  async scheduledAgents(): Promise<{ id: string; workspace_id: string; user_id: string | null; schedule: string }[]> {
    const res = await this.pool.query(`SELECT id, workspace_id, user_id, config->>'schedule' AS schedule FROM analysis_ai_agents_view WHERE is_active AND config->>'schedule' IS NOT NULL`);
    return res.rows;
  }

  async execution(workspaceId: string, id: string): Promise<AgentExecutionRow | null> {
    if (!isId(id)) return null;
    const res = await this.pool.query<AgentExecutionRow>(`SELECT * FROM analysis_agent_executions_view WHERE id = $1 AND workspace_id = $2`, [id, workspaceId]);
    return res.rows[0] ?? null;
  }

  async executions(workspaceId: string, agentId: string, page: { limit: number; cursor?: string; status?: string; trigger?: string }): Promise<Page<AgentExecutionRow>> {
    const [at, id] = page.cursor ? executionCursor.decode(page.cursor) : [null, null];
    const res = await this.pool.query<AgentExecutionRow & { created_key: string }>(
      `SELECT *, created_at::text AS created_key FROM analysis_agent_executions_view
        WHERE workspace_id = $1 AND agent_id = $2
          AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR trigger_type = $4)
          AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $7`,
      [workspaceId, agentId, page.status ?? null, page.trigger ?? null, at, id, page.limit + 1],
    );
    return this.page(res.rows, page.limit, (r) => executionCursor.encode([r.created_key, r.id]));
  }

  private page<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]) : null };
  }
}
