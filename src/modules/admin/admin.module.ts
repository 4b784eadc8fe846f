import { Module } from '@nestjs/common';
import { PartitionsAdminController } from './application/partitions-admin/partitions-admin.http.controller';
import { ProjectionsAdminController } from './application/projections-admin/projections-admin.http.controller';
import { SagasAdminController } from './application/sagas-admin/sagas-admin.http.controller';
import { ScheduledJobsAdminController } from './application/scheduled-jobs-admin/scheduled-jobs-admin.http.controller';
import { SubjectsAdminController } from './application/subjects-admin/subjects-admin.http.controller';

/**
 * The operators' admin API over the platform (superuser only, /api/v1/admin): projections
 * (status, lag, rebuilds, parked events), sagas, event partitions, scheduled jobs and the job
 * queue, and the erasure of data subjects. No domain of its own: thin controllers over the
 * libs' services (ProjectionAdmin, SagaAdmin, EventPartitions, ScheduledJobs, JobQueue,
 * DataSubjects), which the global event store, event sourcing and jobs modules provide.
 */
@Module({
  controllers: [ProjectionsAdminController, SagasAdminController, PartitionsAdminController, ScheduledJobsAdminController, SubjectsAdminController],
})
export class AdminModule {}
