import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { AgentConfigsHandler } from './application/agent-configs/agent-configs.handler';
import { AgentConfigsHttpController } from './application/agent-configs/agent-configs.http.controller';
import { AnalysisModels } from './application/analysis-models';
import { ConfiguredAnalysisModels } from './application/analysis-models/configured-analysis-models';
import { AssignmentsHandler } from './application/assignments/assignments.handler';
import { AssignmentsHttpController } from './application/assignments/assignments.http.controller';
import { ProjectConfigsHandler } from './application/project-configs/project-configs.handler';
import { ProjectConfigsHttpController } from './application/project-configs/project-configs.http.controller';
import { ProviderValidationRegistrar } from './application/providers/provider-validation.registrar';
import { ProvidersHandler } from './application/providers/providers.handler';
import { ProvidersHttpController } from './application/providers/providers.http.controller';
import { TaskConfigsHandler } from './application/task-configs/task-configs.handler';
import { TaskConfigsHttpController } from './application/task-configs/task-configs.http.controller';
import { analysisConfigurationAuditVisibility } from './domain/configuration/configuration.audit-visibility';
import { ConfigurationAggregates } from './infrastructure/configuration-aggregates';
import { ConfigurationNames } from './infrastructure/configuration-names';
import { analysisConfigurationErrorStatuses } from './infrastructure/configuration.errors.http';
import { ConfigurationQueries } from './infrastructure/configuration.queries';
import { ProviderApiKeys } from './infrastructure/provider-api-keys';
import { ProviderConnections } from './infrastructure/provider-connections';
import { AgentConfigsProjection } from './projections/agent-configs.projection';
import { AgentTaskAssignmentsProjection } from './projections/agent-task-assignments.projection';
import { LlmProvidersProjection } from './projections/llm-providers.projection';
import { ProjectConfigsProjection } from './projections/project-configs.projection';
import { TaskConfigsProjection } from './projections/task-configs.projection';

registerErrorStatuses(analysisConfigurationErrorStatuses);

/** The read models (all inline: the API reads its own writes) and the secret fields of the events. */
@Injectable()
class AnalysisConfigurationRegistrar implements OnModuleInit {
  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly eventTypes: EventTypeRegistry,
  ) {}

  onModuleInit(): void {
    this.projections.register(new LlmProvidersProjection(), new AgentConfigsProjection(), new TaskConfigsProjection(), new AgentTaskAssignmentsProjection(), new ProjectConfigsProjection());
    for (const [type, spec] of Object.entries(analysisConfigurationAuditVisibility)) this.eventTypes.auditVisibility(type, spec);
  }
}

/** The read models, the secret fields and the sealed key column (`secrets rotate`): shared by the app and the CLI. */
@Module({ providers: [AnalysisConfigurationRegistrar, ProviderApiKeys], exports: [ProviderApiKeys] })
export class AnalysisConfigurationProjectionsModule {}

/**
 * Analysis configuration: LLM providers (validated by a real call), agent configs, task configs
 * with their answer schema, agent<->task assignments and project configs, per workspace, with
 * unique names. Implements AnalysisModels for the runs, experiments and AI agents.
 */
@Module({
  imports: [AnalysisConfigurationProjectionsModule],
  controllers: [ProvidersHttpController, AgentConfigsHttpController, TaskConfigsHttpController, AssignmentsHttpController, ProjectConfigsHttpController],
  providers: [
    ConfigurationAggregates,
    ConfigurationQueries,
    ConfigurationNames,
    ProviderConnections,
    ProvidersHandler,
    // A provider's connection is checked with a real call by a durable consumer of validation requests.
    ProviderValidationRegistrar,
    AgentConfigsHandler,
    TaskConfigsHandler,
    AssignmentsHandler,
    ProjectConfigsHandler,
    ConfiguredAnalysisModels,
    { provide: AnalysisModels, useExisting: ConfiguredAnalysisModels },
  ],
  exports: [AnalysisModels],
})
export class AnalysisConfigurationModule {}
