import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { PG_POOL } from '@libs/database/database-backend';
import type { AgentConfigRow } from '@modules/analysis/projections/agent-configs.projection';
import type { AgentTaskAssignmentRow } from '@modules/analysis/projections/agent-task-assignments.projection';
import type { LlmProviderRow } from '@modules/analysis/projections/llm-providers.projection';
import type { ProjectConfigRow } from '@modules/analysis/projections/project-configs.projection';
import type { TaskConfigRow } from '@modules/analysis/projections/task-configs.projection';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageQuery {
  cursor?: string;
  limit: number;
  /** Only active (true), only inactive (false), or all (undefined). */
  active?: boolean;
}

/** The read models of the named kinds, listed by name. */
const NAMED_TABLES = {
  providers: 'analysis_llm_providers_view',
  agentConfigs: 'analysis_agent_configs_view',
  taskConfigs: 'analysis_task_configs_view',
  projectConfigs: 'analysis_project_configs_view',
} as const;
type NamedTable = keyof typeof NAMED_TABLES;

const nameCursors = Object.fromEntries(
  Object.keys(NAMED_TABLES).map((k) => [k, cursorCodec(`analysis.${k}`, z.tuple([cursorPart.text(2000), cursorPart.uuid]))]),
) as Record<NamedTable, ReturnType<typeof cursorCodec<[string, string]>>>;
const assignmentCursor = cursorCodec('analysis.assignments', z.tuple([cursorPart.timestamp, cursorPart.uuid]));

/** Every read query of analysis configuration, always scoped by workspace. */
@Injectable()
export class ConfigurationQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  provider(workspaceId: string, id: string): Promise<LlmProviderRow | null> {
    return this.one('providers', workspaceId, id);
  }

  /** A provider by id alone: for the validation consumer, which reads the workspace from the event. */
  async providerById(id: string): Promise<LlmProviderRow | null> {
    const r = await this.pool.query(`SELECT * FROM analysis_llm_providers_view WHERE id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  agentConfig(workspaceId: string, id: string): Promise<AgentConfigRow | null> {
    return this.one('agentConfigs', workspaceId, id);
  }

  taskConfig(workspaceId: string, id: string): Promise<TaskConfigRow | null> {
    return this.one('taskConfigs', workspaceId, id);
  }

  projectConfig(workspaceId: string, id: string): Promise<ProjectConfigRow | null> {
    return this.one('projectConfigs', workspaceId, id);
  }

  async assignment(workspaceId: string, id: string): Promise<AgentTaskAssignmentRow | null> {
    const r = await this.pool.query(`SELECT * FROM analysis_agent_task_assignments_view WHERE id = $1 AND workspace_id = $2`, [id, workspaceId]);
    return r.rows[0] ?? null;
  }

  providers(workspaceId: string, page: PageQuery): Promise<Page<LlmProviderRow>> {
    return this.byName('providers', workspaceId, page);
  }

  agentConfigs(workspaceId: string, page: PageQuery & { providerId?: string }): Promise<Page<AgentConfigRow>> {
    return this.byName('agentConfigs', workspaceId, page, page.providerId ? { column: 'provider_id', value: page.providerId } : undefined);
  }

  taskConfigs(workspaceId: string, page: PageQuery): Promise<Page<TaskConfigRow>> {
    return this.byName('taskConfigs', workspaceId, page);
  }

  projectConfigs(workspaceId: string, page: PageQuery): Promise<Page<ProjectConfigRow>> {
    return this.byName('projectConfigs', workspaceId, page);
  }

  /** Every active project config of the workspace, by name (runs classify against all of them). */
  async activeProjectConfigs(workspaceId: string): Promise<ProjectConfigRow[]> {
    const r = await this.pool.query(`SELECT * FROM analysis_project_configs_view WHERE workspace_id = $1 AND is_active ORDER BY lower(name), id`, [workspaceId]);
    return r.rows;
  }

  /** Oldest first (keyset on assigned_at, id), filtered by agent or task. */
  async assignments(workspaceId: string, page: PageQuery & { agentId?: string; taskId?: string }): Promise<Page<AgentTaskAssignmentRow>> {
    const [afterAt, afterId] = page.cursor ? assignmentCursor.decode(page.cursor) : [null, null];
    const r = await this.pool.query<AgentTaskAssignmentRow & { at_key: string }>(
      `SELECT *, assigned_at::text AS at_key FROM analysis_agent_task_assignments_view
        WHERE workspace_id = $1
          AND ($2::boolean IS NULL OR is_active = $2)
          AND ($3::uuid IS NULL OR agent_id = $3)
          AND ($4::uuid IS NULL OR task_id = $4)
          AND ($5::timestamptz IS NULL OR (assigned_at, id) > ($5::timestamptz, $6::uuid))
        ORDER BY assigned_at, id LIMIT $7`,
      [workspaceId, page.active ?? null, page.agentId ?? null, page.taskId ?? null, afterAt, afterId, page.limit + 1],
    );
    const rows = r.rows.slice(0, page.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ at_key: _k, ...row }) => row as AgentTaskAssignmentRow),
      nextCursor: r.rows.length > page.limit && last ? assignmentCursor.encode([last.at_key, last.id]) : null,
    };
  }

  /** Whether anything still uses the item: agents of a provider, assignments of an agent or a task. */
  async agentsOfProvider(workspaceId: string, providerId: string): Promise<number> {
    const r = await this.pool.query(`SELECT count(*)::int AS n FROM analysis_agent_configs_view WHERE workspace_id = $1 AND provider_id = $2`, [workspaceId, providerId]);
    return r.rows[0].n;
  }

  async assignmentsOf(workspaceId: string, ref: { agentId?: string; taskId?: string }): Promise<number> {
    const r = await this.pool.query(
      `SELECT count(*)::int AS n FROM analysis_agent_task_assignments_view WHERE workspace_id = $1 AND ($2::uuid IS NULL OR agent_id = $2) AND ($3::uuid IS NULL OR task_id = $3)`,
      [workspaceId, ref.agentId ?? null, ref.taskId ?? null],
    );
    return r.rows[0].n;
  }

  private async one<T>(table: NamedTable, workspaceId: string, id: string): Promise<T | null> {
    const r = await this.pool.query(`SELECT * FROM ${NAMED_TABLES[table]} WHERE id = $1 AND workspace_id = $2`, [id, workspaceId]);
    return r.rows[0] ?? null;
  }

  /** By name, alphabetically without case (keyset on lower(name), id). */
  private async byName<T extends { id: string }>(table: NamedTable, workspaceId: string, page: PageQuery, filter?: { column: 'provider_id'; value: string }): Promise<Page<T>> {
    const codec = nameCursors[table];
    const after = page.cursor ? codec.decode(page.cursor) : null;
    const r = await this.pool.query<T & { name_key: string }>(
      `SELECT *, lower(name) AS name_key FROM ${NAMED_TABLES[table]}
        WHERE workspace_id = $1
          AND ($2::boolean IS NULL OR is_active = $2)
          AND ($3::text IS NULL OR (lower(name), id::text) > ($3::text, $4::text))
          ${filter ? `AND ${filter.column} = $6` : ''}
        ORDER BY lower(name), id::text LIMIT $5`,
      [workspaceId, page.active ?? null, after?.[0] ?? null, after?.[1] ?? null, page.limit + 1, ...(filter ? [filter.value] : [])],
    );
    const rows = r.rows.slice(0, page.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ name_key: _k, ...row }) => row as unknown as T),
      nextCursor: r.rows.length > page.limit && last ? codec.encode([last.name_key, last.id]) : null,
    };
  }
}
