import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { reportRange, utcDaysOf } from '@modules/analysis/domain/usage-report/usage-report';
import { UsageQueries } from '@modules/analysis/infrastructure/usage.queries';
import { UserAnalyticsRollup } from './user-analytics-rollup';
import { UserUsageQueryDto } from './user-usage.request.dto';

/**
 * Usage per user per day (seed 004 user_analytics): AI queries and tokens, never what was asked
 * or answered (a private conversation stays private: only its counts are here).
 */
@Injectable()
export class UserUsageHandler {
  constructor(
    private readonly rollup: UserAnalyticsRollup,
    private readonly queries: UsageQueries,
  ) {}

  /** `userId` null: every user of the workspace (admins); else that user's own days. */
  async list(workspaceId: string, userId: string | null, q: UserUsageQueryDto, now: Date = new Date()) {
    const { range, problem } = reportRange(q, now);
    if (problem) throw new ValidationFailedError('The range is not valid', [problem]);
    await this.rollup.refresh(workspaceId, range);
    const days = utcDaysOf(range);
    const filter = { workspaceId, userId, firstDay: days.firstDay, lastDay: days.lastDay };
    const [page, totals] = await Promise.all([this.queries.userUsage({ ...filter, cursor: q.cursor, limit: q.limit ?? 50 }), this.queries.userUsageTotals(filter)]);
    return { from: days.firstDay, to: days.lastDay, totals, ...page };
  }
}
