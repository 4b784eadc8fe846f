import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { budgetPeriodOf, isOverBudget } from '@modules/analysis/domain/llm-budget/budget-period';
import { ADMIN_USAGE_GROUP_KEYS, AdminUsageGroupKey, parseGroupBy, reportRange, USAGE_GROUP_KEYS } from '@modules/analysis/domain/usage-report/usage-report';
import { MAX_REPORT_GROUPS, UsageGroupRow, UsageMeasures, UsageQueries } from '@modules/analysis/infrastructure/usage.queries';

export interface UsageReport {
  from: string;
  to: string;
  groupBy: AdminUsageGroupKey[];
  totals: UsageMeasures;
  /** One per group, ordered by the keys in the order asked. */
  rows: UsageGroupRow[];
}

/** The LLM usage and cost report over llm_usage_logs: one workspace's, or every workspace's for superusers. */
@Injectable()
export class UsageReportHandler {
  constructor(private readonly queries: UsageQueries) {}

  workspaceReport(workspaceId: string, q: { from?: string; to?: string; groupBy?: string | string[] }, now: Date = new Date()): Promise<UsageReport> {
    return this.report(workspaceId, q, USAGE_GROUP_KEYS, now);
  }

  /**
   * Across workspaces (workspace is a group key), with each budgeted workspace's standing this
   * month: the operator sees who is near or over.
   */
  async adminReport(q: { from?: string; to?: string; groupBy?: string | string[]; workspaceId?: string }, now: Date = new Date()) {
    const report = await this.report(q.workspaceId ?? null, q, ADMIN_USAGE_GROUP_KEYS, now);
    const period = budgetPeriodOf(now);
    const budgets = (await this.queries.budgets()).filter((b) => b.monthly_limit_usd !== null && (!q.workspaceId || b.workspace_id === q.workspaceId));
    const standing = await Promise.all(
      budgets.map(async (b) => {
        const spentUsd = await this.queries.spentUsd(b.workspace_id, period.start, period.end);
        const limitUsd = Number(b.monthly_limit_usd);
        return { workspaceId: b.workspace_id, monthlyLimitUsd: limitUsd, spentUsd, exceeded: isOverBudget(limitUsd, spentUsd) };
      }),
    );
    return { ...report, budgets: { period: { start: period.start.toISOString(), end: period.end.toISOString() }, items: standing } };
  }

  private async report<K extends AdminUsageGroupKey>(workspaceId: string | null, q: { from?: string; to?: string; groupBy?: string | string[] }, allowed: readonly K[], now: Date): Promise<UsageReport> {
    const { keys, problem: keyProblem } = parseGroupBy(q.groupBy, allowed);
    if (keyProblem) throw new ValidationFailedError('The groupBy is not valid', [{ field: 'groupBy', message: keyProblem }]);
    const { range, problem } = reportRange(q, now);
    if (problem) throw new ValidationFailedError('The range is not valid', [problem]);
    const result = await this.queries.report(workspaceId, range, keys);
    if (!result) {
      throw new ValidationFailedError('The report has too many groups', [{ field: 'groupBy', message: `more than ${MAX_REPORT_GROUPS} groups: narrow the range or group by fewer keys` }]);
    }
    return { from: range.from.toISOString(), to: range.to.toISOString(), groupBy: keys, ...result };
  }
}
