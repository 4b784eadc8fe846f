import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { PG_POOL } from '@libs/database/database-backend';
import type { ExistingProposalRef } from '@modules/analysis/domain/task-proposal/proposal-similarity';
import type { AnalysisRunRow } from '@modules/analysis/projections/analysis-runs.projection';
import type { RunBatchRow } from '@modules/analysis/projections/run-batches.projection';
import type { TaskProposalRow } from '@modules/analysis/projections/task-proposals.projection';
import type { TaskRow } from '@modules/analysis/projections/tasks.projection';

const runCursor = cursorCodec('analysis.runs', z.tuple([cursorPart.timestamp, cursorPart.uuid]));
const proposalCursor = cursorCodec('analysis.task-proposals', z.tuple([cursorPart.timestamp, cursorPart.uuid]));
const taskCursor = cursorCodec('analysis.tasks', z.tuple([cursorPart.timestamp, cursorPart.uuid]));

export interface RunCounters {
  batchesDone: number;
  batchesFailed: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  lastBatchAt: string | null;
  proposalsTotal: number;
  proposalsPending: number;
  proposalsApproved: number;
  proposalsMerged: number;
  proposalsRejected: number;
  proposalsLinked: number;
}

export interface RunErrorLogEntry {
  batchIndex: number | null;
  code: string;
  message: string;
  details?: unknown;
  at: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every read query of the runs part, in one place. */
@Injectable()
export class AnalysisRunsQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async run(workspaceId: string, runId: string): Promise<(AnalysisRunRow & { created_at_text: string }) | null> {
    const r = await this.pool.query(`SELECT *, created_at::text AS created_at_text FROM analysis_runs_view WHERE id = $1 AND workspace_id = $2`, [runId, workspaceId]);
    return r.rows[0] ?? null;
  }

  /** Without the workspace: for the run's own commands (the saga knows the run). */
  async runById(runId: string): Promise<AnalysisRunRow | null> {
    const r = await this.pool.query(`SELECT * FROM analysis_runs_view WHERE id = $1`, [runId]);
    return r.rows[0] ?? null;
  }

  async runs(workspaceId: string, f: { status?: string; cursor?: string; limit: number }): Promise<Page<AnalysisRunRow>> {
    const [at, id] = f.cursor ? runCursor.decode(f.cursor) : [null, null];
    const r = await this.pool.query(
      `SELECT *, created_at::text AS created_at_text FROM analysis_runs_view
        WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [workspaceId, f.status ?? null, at, id, f.limit + 1],
    );
    const items = r.rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: r.rows.length > f.limit && last ? runCursor.encode([last.created_at_text, last.id]) : null };
  }

  /** Batch and proposal counters of runs, counted from their own tables (no counter row to race on). */
  async counters(runIds: string[]): Promise<Map<string, RunCounters>> {
    const out = new Map<string, RunCounters>();
    if (runIds.length === 0) return out;
    for (const id of runIds) {
      out.set(id, { batchesDone: 0, batchesFailed: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, lastBatchAt: null, proposalsTotal: 0, proposalsPending: 0, proposalsApproved: 0, proposalsMerged: 0, proposalsRejected: 0, proposalsLinked: 0 });
    }
    const [batches, proposals, linked] = await Promise.all([
      this.pool.query(
        `SELECT run_id, count(*) FILTER (WHERE status <> 'planned')::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed,
                coalesce(sum(tokens_in), 0)::int AS tokens_in, coalesce(sum(tokens_out), 0)::int AS tokens_out, coalesce(sum(cost_usd), 0)::float8 AS cost,
                max(finished_at) AS last_at
           FROM analysis_run_batches_view WHERE run_id = ANY($1::uuid[]) GROUP BY run_id`,
        [runIds],
      ),
      this.pool.query(
        `SELECT analysis_run_id AS run_id, count(*)::int AS total, count(*) FILTER (WHERE status = 'pending')::int AS pending,
                count(*) FILTER (WHERE status = 'approved')::int AS approved, count(*) FILTER (WHERE status = 'merged')::int AS merged,
                count(*) FILTER (WHERE status = 'rejected')::int AS rejected
           FROM analysis_task_proposals_view WHERE analysis_run_id = ANY($1::uuid[]) GROUP BY analysis_run_id`,
        [runIds],
      ),
      this.pool.query(
        `SELECT r AS run_id, count(*)::int AS linked FROM analysis_task_proposals_view, unnest(included_in_runs) AS r
          WHERE included_in_runs && $1::uuid[] AND cardinality(included_in_runs) > 1 AND r = ANY($1::uuid[]) AND analysis_run_id <> r GROUP BY r`,
        [runIds],
      ),
    ]);
    for (const b of batches.rows) {
      Object.assign(out.get(b.run_id)!, { batchesDone: b.done, batchesFailed: b.failed, tokensIn: b.tokens_in, tokensOut: b.tokens_out, costUsd: b.cost, lastBatchAt: b.last_at ? new Date(b.last_at).toISOString() : null });
    }
    for (const p of proposals.rows) {
      Object.assign(out.get(p.run_id)!, { proposalsTotal: p.total, proposalsPending: p.pending, proposalsApproved: p.approved, proposalsMerged: p.merged, proposalsRejected: p.rejected });
    }
    for (const l of linked.rows) out.get(l.run_id)!.proposalsLinked = l.linked;
    return out;
  }

  /** Failed batches of a run, in order (the run's error_log with its own failure). */
  async batchFailures(runId: string): Promise<RunErrorLogEntry[]> {
    const r = await this.pool.query(`SELECT batch_index, error, finished_at FROM analysis_run_batches_view WHERE run_id = $1 AND status = 'failed' ORDER BY batch_index LIMIT 1000`, [runId]);
    return r.rows.map((b) => ({ batchIndex: b.batch_index, code: b.error?.code ?? 'UNKNOWN', message: b.error?.message ?? '', details: b.error?.details, at: b.finished_at ? new Date(b.finished_at).toISOString() : null }));
  }

  async batches(runId: string): Promise<RunBatchRow[]> {
    const r = await this.pool.query(`SELECT * FROM analysis_run_batches_view WHERE run_id = $1 ORDER BY batch_index`, [runId]);
    return r.rows;
  }

  async batchCount(runId: string): Promise<number> {
    const r = await this.pool.query(`SELECT count(*)::int AS n FROM analysis_run_batches_view WHERE run_id = $1`, [runId]);
    return r.rows[0].n;
  }

  /** included_in_runs of messages: the runs whose batches held each. */
  async includedInRuns(workspaceId: string, messageIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(messageIds.map((id) => [id, []]));
    if (messageIds.length === 0) return out;
    const r = await this.pool.query(
      `SELECT m AS message_id, array_agg(DISTINCT b.run_id::text) AS runs
         FROM analysis_run_batches_view b, unnest(b.message_ids) AS m
        WHERE b.workspace_id = $1 AND b.message_ids && $2::uuid[] AND m = ANY($2::uuid[])
        GROUP BY m`,
      [workspaceId, messageIds],
    );
    for (const row of r.rows) out.set(row.message_id, row.runs.sort());
    return out;
  }

  // ---- proposals ------------------------------------------------------------------------

  async proposal(workspaceId: string, proposalId: string): Promise<TaskProposalRow | null> {
    const r = await this.pool.query(`SELECT * FROM analysis_task_proposals_view WHERE id = $1 AND workspace_id = $2`, [proposalId, workspaceId]);
    return r.rows[0] ?? null;
  }

  async proposals(workspaceId: string, f: { runId?: string; status?: string; cursor?: string; limit: number }): Promise<Page<TaskProposalRow>> {
    const [at, id] = f.cursor ? proposalCursor.decode(f.cursor) : [null, null];
    const r = await this.pool.query(
      `SELECT *, created_at::text AS created_at_text FROM analysis_task_proposals_view
        WHERE workspace_id = $1 AND ($2::uuid IS NULL OR included_in_runs @> ARRAY[$2::uuid]) AND ($3::text IS NULL OR status = $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) > ($4::timestamptz, $5::uuid))
        ORDER BY created_at, id LIMIT $6`,
      [workspaceId, f.runId ?? null, f.status ?? null, at, id, f.limit + 1],
    );
    const items = r.rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: r.rows.length > f.limit && last ? proposalCursor.encode([last.created_at_text, last.id]) : null };
  }

  /** Proposals of the workspace resting on any of these messages (the no-duplicate rule). */
  async proposalsSharingMessages(workspaceId: string, messageIds: string[]): Promise<ExistingProposalRef[]> {
    if (messageIds.length === 0) return [];
    const r = await this.pool.query(
      `SELECT id, source_message_ids, status, task_id FROM analysis_task_proposals_view WHERE workspace_id = $1 AND source_message_ids && $2::uuid[]`,
      [workspaceId, messageIds],
    );
    return r.rows.map((p) => ({ id: p.id, messageIds: p.source_message_ids, status: p.status, taskId: p.task_id }));
  }

  async pendingProposals(runId: string): Promise<number> {
    const r = await this.pool.query(`SELECT count(*)::int AS n FROM analysis_task_proposals_view WHERE analysis_run_id = $1 AND status = 'pending'`, [runId]);
    return r.rows[0].n;
  }

  async reviewOutcomes(runId: string): Promise<{ status: string; edited: boolean; confidence: number }[]> {
    const r = await this.pool.query(`SELECT status, edited, confidence FROM analysis_task_proposals_view WHERE analysis_run_id = $1`, [runId]);
    return r.rows;
  }

  /** The workspace's members with their names and emails (owners of tasks). */
  async members(workspaceId: string): Promise<{ id: string; name: string; email: string | null }[]> {
    const r = await this.pool.query(
      `SELECT u.id, u.name, u.email FROM analysis_workspace_members_view m JOIN analysis_users_view u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY u.id`,
      [workspaceId],
    );
    return r.rows;
  }

  // ---- tasks ----------------------------------------------------------------------------

  async task(workspaceId: string, taskId: string): Promise<TaskRow | null> {
    const r = await this.pool.query(`SELECT * FROM analysis_tasks_view WHERE id = $1 AND workspace_id = $2`, [taskId, workspaceId]);
    return r.rows[0] ?? null;
  }

  async tasks(workspaceId: string, f: { status?: string; assignee?: string; cursor?: string; limit: number }): Promise<Page<TaskRow>> {
    const [at, id] = f.cursor ? taskCursor.decode(f.cursor) : [null, null];
    const r = await this.pool.query(
      `SELECT *, created_at::text AS created_at_text FROM analysis_tasks_view
        WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR assigned_to = $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $6`,
      [workspaceId, f.status ?? null, f.assignee ?? null, at, id, f.limit + 1],
    );
    const items = r.rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: r.rows.length > f.limit && last ? taskCursor.encode([last.created_at_text, last.id]) : null };
  }

  /** Open and in-progress tasks (the newest 2,000): what a new proposal is compared with. */
  async openTasks(workspaceId: string): Promise<{ id: string; title: string }[]> {
    const r = await this.pool.query(
      `SELECT id, title FROM analysis_tasks_view WHERE workspace_id = $1 AND status IN ('open', 'in_progress') ORDER BY created_at DESC LIMIT 2000`,
      [workspaceId],
    );
    return r.rows;
  }
}
