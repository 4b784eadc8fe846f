import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { LlmBudgets } from './application/analysis-models';
import { LlmBudgetHandler } from './application/llm-budget/llm-budget.handler';
import { LlmBudgetHttpController } from './application/llm-budget/llm-budget.http.controller';
import { WorkspaceLlmBudgets } from './application/llm-budget/workspace-llm-budgets';
import { AdminUsageReportHttpController } from './application/usage-report/admin-usage-report.http.controller';
import { UsageReportHandler } from './application/usage-report/usage-report.handler';
import { UsageReportHttpController } from './application/usage-report/usage-report.http.controller';
import { UserAnalyticsRollup } from './application/user-usage/user-analytics-rollup';
import { UserAnalyticsSchedule } from './application/user-usage/user-analytics.schedule';
import { UserUsageHandler } from './application/user-usage/user-usage.handler';
import { UserUsageHttpController } from './application/user-usage/user-usage.http.controller';
import { AnalysisUsageAggregates } from './infrastructure/analysis-usage.aggregates';
import { analysisUsageErrorStatuses } from './infrastructure/analysis-usage.errors.http';
import { UsageQueries } from './infrastructure/usage.queries';
import { LlmBudgetsProjection } from './projections/llm-budgets.projection';

registerErrorStatuses(analysisUsageErrorStatuses);

/** The budgets read model: the app, and the CLI (`projections rebuild analysis.llm-budgets`). */
@Injectable()
class AnalysisUsageRegistrar implements OnModuleInit {
  constructor(private readonly projections: ProjectionRegistry) {}

  onModuleInit(): void {
    this.projections.register(new LlmBudgetsProjection());
  }
}

@Module({ providers: [AnalysisUsageRegistrar] })
export class AnalysisUsageProjectionsModule {}

/**
 * Usage: LLM usage and cost reports from llm_usage_logs (per workspace, and across workspaces
 * for superusers), monthly budgets per workspace (implements LlmBudgets, which runs inject), and
 * usage per user per day (seed 004 user_analytics).
 */
@Module({
  imports: [AnalysisUsageProjectionsModule],
  controllers: [UsageReportHttpController, UserUsageHttpController, LlmBudgetHttpController, AdminUsageReportHttpController],
  providers: [
    UsageQueries,
    AnalysisUsageAggregates,
    LlmBudgetHandler,
    { provide: LlmBudgets, useClass: WorkspaceLlmBudgets },
    UsageReportHandler,
    // Usage per user per day: refreshed before each read and every 5 minutes for the last two days.
    UserAnalyticsRollup,
    UserAnalyticsSchedule,
    UserUsageHandler,
  ],
  exports: [LlmBudgets],
})
export class AnalysisUsageModule {}
