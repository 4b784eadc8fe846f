import { Module } from '@nestjs/common';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { AnalysisRunsHandler } from './application/analysis-runs/analysis-runs.handler';
import { AnalysisRunsHttpController } from './application/analysis-runs/analysis-runs.http.controller';
import { ReviewTaskProposals } from './application/review-task-proposals/review-task-proposals.handler';
import { ReviewTaskProposalsHttpController } from './application/review-task-proposals/review-task-proposals.http.controller';
import { AnalysisRunsProjectionsRegistrar } from './application/run-execution/analysis-runs-projections.registrar';
import { AnalysisRunsRegistrar } from './application/run-execution/analysis-runs.registrar';
import { BatchAgent } from './application/run-execution/batch-agent';
import { ProposalWriter } from './application/run-execution/proposal-writer';
import { RunSteps } from './application/run-execution/run-steps';
import { TasksHandler } from './application/tasks/tasks.handler';
import { TasksHttpController } from './application/tasks/tasks.http.controller';
import { AnalysisConfigurationModule } from './analysis-configuration.module';
import { AnalysisUsageModule } from './analysis-usage.module';
import { AnalysisRunsAggregates } from './infrastructure/analysis-runs.aggregates';
import { analysisRunsErrorStatuses } from './infrastructure/analysis-runs.errors.http';
import { AnalysisRunsQueries } from './infrastructure/analysis-runs.queries';
import { WinkSentenceTagger } from './infrastructure/wink-sentence-tagger';

registerErrorStatuses(analysisRunsErrorStatuses);

/**
 * Analysis runs (a saga over a window of messages: plan, batches, completion), task proposals and
 * their review, tasks. Models and project configs come from the configuration part
 * (AnalysisModels); budgets from the usage part (LlmBudgets, optional); messages from ingestion's
 * MessageWindow.
 */
@Module({ providers: [AnalysisRunsProjectionsRegistrar] })
export class AnalysisRunsProjectionsModule {}

@Module({
  imports: [AnalysisConfigurationModule, AnalysisUsageModule, AnalysisRunsProjectionsModule],
  controllers: [AnalysisRunsHttpController, ReviewTaskProposalsHttpController, TasksHttpController],
  providers: [AnalysisRunsAggregates, AnalysisRunsQueries, WinkSentenceTagger, BatchAgent, ProposalWriter, RunSteps, AnalysisRunsRegistrar, AnalysisRunsHandler, ReviewTaskProposals, TasksHandler],
})
export class AnalysisRunsModule {}
