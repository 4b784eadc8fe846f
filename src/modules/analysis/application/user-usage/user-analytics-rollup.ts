import { Injectable } from '@nestjs/common';
import { LlmUsageMeter } from '@libs/ai/metering/llm-usage-meter';
import { ReportRange, utcDaysOf } from '@modules/analysis/domain/usage-report/usage-report';
import { UsageQueries } from '@modules/analysis/infrastructure/usage.queries';

const DAY_MS = 86_400_000;

/**
 * analysis_user_analytics (seed 004 user_analytics) from llm_usage_logs. Not an event
 * projection: usage rows are measurements, not events (see the ai-usage migration). Its AI
 * columns are recomputed whole days at a time, so a refresh is idempotent, a row the meter wrote
 * late is counted by the next refresh of its day, and `rebuild` gives what incremental refreshes
 * gave. Refreshed for the asked days before each read, and every few minutes for the last two
 * days (UserAnalyticsSchedule) so the table is current for whoever else reads it.
 */
@Injectable()
export class UserAnalyticsRollup {
  constructor(
    private readonly queries: UsageQueries,
    private readonly meter: LlmUsageMeter,
  ) {}

  /** The days the range touches, for one workspace (null: all). */
  async refresh(workspaceId: string | null, range: ReportRange): Promise<number> {
    // Rows this process still writes belong to what the caller has just done (an Ask).
    await this.meter.recorded();
    const days = utcDaysOf(range);
    return this.queries.refreshUserAnalytics(workspaceId, days.start, days.end);
  }

  /** Today and yesterday (UTC), every workspace: what the schedule runs. */
  refreshRecent(now: Date = new Date()): Promise<number> {
    return this.refresh(null, { from: new Date(now.getTime() - DAY_MS), to: now });
  }

  /** Every day that has usage, from the first row on. */
  rebuild(now: Date = new Date()): Promise<number> {
    return this.queries.refreshUserAnalytics(null, new Date(0), new Date(now.getTime() + DAY_MS));
  }
}
