import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { AnalysisRunsProjection } from '@modules/analysis/projections/analysis-runs.projection';
import { RunBatchesProjection } from '@modules/analysis/projections/run-batches.projection';
import { TaskProposalsProjection } from '@modules/analysis/projections/task-proposals.projection';
import { TasksProjection } from '@modules/analysis/projections/tasks.projection';
import { AnalysisMembersProjection, AnalysisUsersProjection } from '@modules/analysis/projections/workspace-people.projection';

/**
 * The runs part's read models (inline: reviews read their own writes), registered for the app and
 * for the CLI (`projections rebuild`, `subjects erase`), which loads no saga.
 */
@Injectable()
export class AnalysisRunsProjectionsRegistrar implements OnModuleInit {
  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly subjects: DataSubjects,
  ) {}

  onModuleInit(): void {
    this.projections.register(new AnalysisRunsProjection(), new RunBatchesProjection(), new TaskProposalsProjection(), new TasksProjection(), new AnalysisUsersProjection(), new AnalysisMembersProjection());
    // An erased user is forgotten here too (the log reads '[erased]' already).
    this.subjects.onErasure(async (tx, events) => {
      for (const e of events) await tx.query(`DELETE FROM analysis_users_view WHERE id::text = $1`, [String((e.data as { subjectId: string }).subjectId)]);
    });
  }
}
