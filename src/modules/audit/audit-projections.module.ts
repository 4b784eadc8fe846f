import { Module, OnModuleInit } from '@nestjs/common';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { StreamActivityProjection } from './projections/stream-activity.projection';

/** The audit module's read models; imported by the app and by the CLI (rebuilds). */
@Module({})
export class AuditProjectionsModule implements OnModuleInit {
  constructor(private readonly registry: ProjectionRegistry) {}

  onModuleInit(): void {
    this.registry.register(new StreamActivityProjection());
  }
}
