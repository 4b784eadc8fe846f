import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { SagaCommandRoutes } from '@libs/eventsourcing/sagas/saga-command-routes';
import { SagaRegistry } from '@libs/eventsourcing/sagas/saga.registry';
import { AnalysisRunsProjection } from '@modules/analysis/projections/analysis-runs.projection';
import { RunBatchesProjection } from '@modules/analysis/projections/run-batches.projection';
import { TaskProposalsProjection } from '@modules/analysis/projections/task-proposals.projection';
import { TasksProjection } from '@modules/analysis/projections/tasks.projection';
import { AnalysisMembersProjection, AnalysisUsersProjection } from '@modules/analysis/projections/workspace-people.projection';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { WinkSentenceTagger } from '@modules/analysis/infrastructure/wink-sentence-tagger';
import { ANALYSIS_RUN_COMMANDS, analysisRunSaga } from './analysis-run.saga';
import { RunSteps } from './run-steps';

/** The read models (inline: reviews read their own writes), the run saga and the commands it sends. */
@Injectable()
export class AnalysisRunsRegistrar implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly sagas: SagaRegistry,
    private readonly routes: SagaCommandRoutes,
    private readonly steps: RunSteps,
    private readonly tagger: WinkSentenceTagger,
    private readonly subjects: DataSubjects,
  ) {}

  /** The tagger's model loads once (~0.2 s), soon after start-up rather than in the first run's first batch. */
  onApplicationBootstrap(): void {
    setTimeout(() => this.tagger.sentences('Warm up.'), 0).unref();
  }

  onModuleInit(): void {
    this.projections.register(new AnalysisRunsProjection(), new RunBatchesProjection(), new TaskProposalsProjection(), new TasksProjection(), new AnalysisUsersProjection(), new AnalysisMembersProjection());
    // An erased user is forgotten here too (the log reads '[erased]' already).
    this.subjects.onErasure(async (tx, events) => {
      for (const e of events) await tx.query(`DELETE FROM analysis_users_view WHERE id::text = $1`, [String((e.data as { subjectId: string }).subjectId)]);
    });
    this.routes.register(ANALYSIS_RUN_COMMANDS.plan, (data, meta) => this.steps.plan(String(data.runId), meta));
    this.routes.register(ANALYSIS_RUN_COMMANDS.processBatch, (data, meta) => this.steps.processBatch(String(data.runId), Number(data.batchIndex), meta));
    this.routes.register(ANALYSIS_RUN_COMMANDS.complete, (data, meta) => this.steps.complete(String(data.runId), meta));
    this.sagas.register(analysisRunSaga);
  }
}
