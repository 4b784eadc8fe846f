import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { PG_POOL } from '@libs/database/database-backend';
import type { AdminUsageGroupKey, ReportRange } from '@modules/analysis/domain/usage-report/usage-report';
import type { LlmBudgetRow } from '@modules/analysis/projections/llm-budgets.projection';

/** The measures of a report, for its totals and each group. */
export interface UsageMeasures {
  calls: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number;
  avgLatencyMs: number;
}

export type UsageGroupRow = Partial<Record<AdminUsageGroupKey, string | null>> & UsageMeasures;

export interface UserUsageRow {
  userId: string;
  date: string;
  aiQueries: number;
  aiTokensUsed: number;
  emailsReceived: number;
  emailsSent: number;
  contactsAdded: number;
  activeTimeSeconds: number;
}

/** The SQL of each group key over llm_usage_logs. Days are UTC days, as the budget's months are. */
const GROUP_SQL: Record<AdminUsageGroupKey, string> = {
  workspace: 'workspace_id::text',
  day: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  model: 'model',
  workflow: 'workflow_name',
  node: 'node_name',
  provider: 'provider',
  operation: 'operation',
};

const MEASURES_SQL = `count(*)::int AS calls,
  count(*) FILTER (WHERE status = 'error')::int AS errors,
  coalesce(sum(prompt_tokens), 0)::float8 AS "promptTokens",
  coalesce(sum(completion_tokens), 0)::float8 AS "completionTokens",
  coalesce(sum(total_tokens), 0)::float8 AS "totalTokens",
  coalesce(sum(cost), 0)::float8 AS "costUsd",
  coalesce(round(avg(latency_ms)), 0)::float8 AS "avgLatencyMs"`;

/** Costs are float sums: shown to a tenth of a nano-dollar, without the float noise (0.30000000000000004). */
const usd = (x: number) => Math.round(x * 1e10) / 1e10;

/** More groups than a report is for: the range or the keys should be narrower. */
export const MAX_REPORT_GROUPS = 10_000;

/** Keyset of the per-user usage list: (date, user id). */
const userUsageCursor = cursorCodec('analysis.user-usage', z.tuple([cursorPart.timestamp, cursorPart.uuid]));

/** Every read query of the usage part, in one place. */
@Injectable()
export class UsageQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * Totals and one row per group of the calls in [from, to). `workspaceId` null: every
   * workspace (the admin report), calls made for no workspace included. One statement: the
   * groups and the totals are grouping sets of the same scan. Null when there are more than
   * MAX_REPORT_GROUPS groups.
   */
  async report(workspaceId: string | null, range: ReportRange, keys: readonly AdminUsageGroupKey[]): Promise<{ totals: UsageMeasures; rows: UsageGroupRow[] } | null> {
    const exprs = keys.map((k) => GROUP_SQL[k]);
    const where = `created_at >= $1 AND created_at < $2${workspaceId ? ' AND workspace_id = $3' : ''}`;
    const params: unknown[] = [range.from.toISOString(), range.to.toISOString(), ...(workspaceId ? [workspaceId] : [])];
    if (exprs.length === 0) {
      const r = await this.pool.query(`SELECT ${MEASURES_SQL} FROM llm_usage_logs WHERE ${where}`, params);
      return { totals: measuresOf(r.rows[0]), rows: [] };
    }
    const r = await this.pool.query(
      `SELECT ${exprs.map((e, i) => `${e} AS "${keys[i]}"`).join(', ')}, GROUPING(${exprs[0]}) = 1 AS is_total, ${MEASURES_SQL}
         FROM llm_usage_logs WHERE ${where}
        GROUP BY GROUPING SETS ((${exprs.join(', ')}), ())
        ORDER BY is_total, ${exprs.map((_, i) => `${i + 1} NULLS FIRST`).join(', ')}
        LIMIT ${MAX_REPORT_GROUPS + 2}`,
      params,
    );
    const total = r.rows.find((x) => x.is_total);
    const groups = r.rows.filter((x) => !x.is_total);
    // The totals row sorts last: without it the limit cut the groups.
    if (!total || groups.length > MAX_REPORT_GROUPS) return null;
    return {
      totals: measuresOf(total),
      rows: groups.map((g) => ({ ...Object.fromEntries(keys.map((k) => [k, g[k] ?? null])), ...measuresOf(g) })),
    };
  }

  /** What the workspace's calls in [start, end) cost, in USD. */
  async spentUsd(workspaceId: string, start: Date, end: Date): Promise<number> {
    const r = await this.pool.query(`SELECT coalesce(sum(cost), 0)::float8 AS spent FROM llm_usage_logs WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3`, [
      workspaceId,
      start.toISOString(),
      end.toISOString(),
    ]);
    return usd(r.rows[0].spent);
  }

  async budget(workspaceId: string): Promise<LlmBudgetRow | null> {
    const r = await this.pool.query(`SELECT * FROM analysis_llm_budgets_view WHERE workspace_id = $1`, [workspaceId]);
    return r.rows[0] ?? null;
  }

  /** Every workspace's budget, for the admin report. */
  async budgets(): Promise<LlmBudgetRow[]> {
    return (await this.pool.query(`SELECT * FROM analysis_llm_budgets_view ORDER BY workspace_id`)).rows;
  }

  /**
   * Recomputes the AI columns of analysis_user_analytics for the UTC days in [start, end) (both
   * day boundaries) from llm_usage_logs: an AI query is a chat call made for the user (failed
   * ones too: the user asked), tokens are every call's. Recomputing a day again gives the same
   * row, so a late row is simply counted by the next refresh. `workspaceId` null: all workspaces.
   */
  async refreshUserAnalytics(workspaceId: string | null, start: Date, end: Date): Promise<number> {
    const r = await this.pool.query(
      `INSERT INTO analysis_user_analytics AS a (workspace_id, user_id, date, ai_queries, ai_tokens_used)
       SELECT workspace_id, user_id, (created_at AT TIME ZONE 'UTC')::date, count(*) FILTER (WHERE operation = 'chat')::int, coalesce(sum(total_tokens), 0)::bigint
         FROM llm_usage_logs
        WHERE user_id IS NOT NULL AND workspace_id IS NOT NULL AND created_at >= $1 AND created_at < $2 AND ($3::uuid IS NULL OR workspace_id = $3::uuid)
        GROUP BY 1, 2, 3
       ON CONFLICT (workspace_id, user_id, date) DO UPDATE SET ai_queries = EXCLUDED.ai_queries, ai_tokens_used = EXCLUDED.ai_tokens_used, updated_at = now()
        WHERE a.ai_queries IS DISTINCT FROM EXCLUDED.ai_queries OR a.ai_tokens_used IS DISTINCT FROM EXCLUDED.ai_tokens_used`,
      [start.toISOString(), end.toISOString(), workspaceId],
    );
    return r.rowCount ?? 0;
  }

  /** Rows of analysis_user_analytics for the days [firstDay, lastDay], by day then user; `userId` narrows to one person. */
  async userUsage(filter: { workspaceId: string; userId: string | null; firstDay: string; lastDay: string; cursor?: string; limit: number }): Promise<{ items: UserUsageRow[]; nextCursor: string | null }> {
    const after = filter.cursor ? userUsageCursor.decode(filter.cursor) : null;
    const r = await this.pool.query(
      `SELECT user_id AS "userId", date::text AS date, ai_queries AS "aiQueries", ai_tokens_used::float8 AS "aiTokensUsed",
              emails_received AS "emailsReceived", emails_sent AS "emailsSent", contacts_added AS "contactsAdded", active_time_seconds AS "activeTimeSeconds"
         FROM analysis_user_analytics
        WHERE workspace_id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid) AND date >= $3::date AND date <= $4::date
          AND ($5::date IS NULL OR (date, user_id) > ($5::date, $6::uuid))
        ORDER BY date, user_id
        LIMIT $7`,
      [filter.workspaceId, filter.userId, filter.firstDay, filter.lastDay, after?.[0].slice(0, 10) ?? null, after?.[1] ?? null, filter.limit + 1],
    );
    const items = r.rows.slice(0, filter.limit) as UserUsageRow[];
    const last = items[items.length - 1];
    return { items, nextCursor: r.rows.length > filter.limit && last ? userUsageCursor.encode([last.date, last.userId]) : null };
  }

  /** The sums over the same days and filter as userUsage (every page's). */
  async userUsageTotals(filter: { workspaceId: string; userId: string | null; firstDay: string; lastDay: string }): Promise<{ aiQueries: number; aiTokensUsed: number; users: number }> {
    const r = await this.pool.query(
      `SELECT coalesce(sum(ai_queries), 0)::float8 AS "aiQueries", coalesce(sum(ai_tokens_used), 0)::float8 AS "aiTokensUsed", count(DISTINCT user_id)::int AS users
         FROM analysis_user_analytics
        WHERE workspace_id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid) AND date >= $3::date AND date <= $4::date`,
      [filter.workspaceId, filter.userId, filter.firstDay, filter.lastDay],
    );
    return r.rows[0];
  }
}

function measuresOf(row: Record<string, unknown>): UsageMeasures {
  return {
    calls: Number(row.calls),
    errors: Number(row.errors),
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    totalTokens: Number(row.totalTokens),
    costUsd: usd(Number(row.costUsd)),
    avgLatencyMs: Number(row.avgLatencyMs),
  };
}
