import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { AnalysisConfigurationModule } from './analysis-configuration.module';
import { AiAgentsRegistrar } from './application/ai-agents.registrar';
import { AgentExecutionRunner } from './application/execute-ai-agent/agent-execution.runner';
import { AgentExecutionsHandler } from './application/execute-ai-agent/agent-executions.handler';
import { AgentExecutionsHttpController } from './application/execute-ai-agent/agent-executions.http.controller';
import { AgentSchedules } from './application/execute-ai-agent/agent-schedules';
import { AiAgentsHandler } from './application/manage-ai-agents/ai-agents.handler';
import { AiAgentsHttpController } from './application/manage-ai-agents/ai-agents.http.controller';
import { SpendGuard } from './application/spend-guard';
import { ClassificationExperimentRunner } from './application/run-classification-experiment/classification-experiment.runner';
import { ClassificationExperimentsHandler } from './application/run-classification-experiment/classification-experiments.handler';
import { ClassificationExperimentsHttpController } from './application/run-classification-experiment/classification-experiments.http.controller';
import { AiAgentsAggregates } from './infrastructure/ai-agents.aggregates';
import { aiAgentsErrorStatuses } from './infrastructure/ai-agents.errors.http';
import { AiAgentsQueries } from './infrastructure/ai-agents.queries';
import { aiAgentsAuditVisibility, aiAgentsPersonalData } from './domain/ai-agent/ai-agents.audit-visibility';
import { eraseAgentOwners } from './projections/agent-owner-erasure';
import { AgentExecutionsProjection } from './projections/agent-executions.projection';
import { AiAgentsProjection } from './projections/ai-agents.projection';
import { ClassificationExperimentsProjection } from './projections/classification-experiments.projection';

registerErrorStatuses(aiAgentsErrorStatuses);

/** The read models (inline: the API reads its own writes), who may see the agents' events in the log, and their owners' erasure. */
@Injectable()
class AiAgentsProjectionsRegistrar implements OnModuleInit {
  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly eventTypes: EventTypeRegistry,
    private readonly subjects: DataSubjects,
  ) {}

  onModuleInit(): void {
    this.projections.register(new ClassificationExperimentsProjection(), new AiAgentsProjection(), new AgentExecutionsProjection());
    for (const [type, declaration] of Object.entries(aiAgentsAuditVisibility)) this.eventTypes.auditVisibility(type, declaration);
    for (const [type, declaration] of Object.entries(aiAgentsPersonalData)) this.eventTypes.personalData(type, declaration);
    this.subjects.onErasure(eraseAgentOwners);
  }
}

/** Experiments', agents' and executions' read models and the agents' private events: shared by the app and the CLI (rebuilds, audit reads). */
@Module({ providers: [AiAgentsProjectionsRegistrar] })
export class AiAgentsProjectionsModule {}

/**
 * AI agents and classification experiments. Agents (seed 004 ai_agents) with a model config,
 * skills and a bounded persistent memory; their executions (manual, scheduled: a scheduled job
 * per agent, event: a durable consumer of the log), run as jobs. Experiments (seed 003
 * classification_experiments) run a provider's model or the built-in classifier over labelled
 * messages, against the workspace's topics (knowledge's KnowledgeTopics) or a label set, and
 * store per-message results, the confusion matrix, accuracy, macro-F1, average confidence and
 * time; two can be compared. Models come from AnalysisModels (the configuration part).
 */
@Module({
  imports: [AnalysisConfigurationModule, AiAgentsProjectionsModule],
  controllers: [ClassificationExperimentsHttpController, AiAgentsHttpController, AgentExecutionsHttpController],
  providers: [
    AiAgentsAggregates,
    AiAgentsQueries,
    ClassificationExperimentsHandler,
    ClassificationExperimentRunner,
    AiAgentsHandler,
    AgentExecutionsHandler,
    AgentExecutionRunner,
    AgentSchedules,
    AiAgentsRegistrar,
    SpendGuard,
  ],
})
export class AiAgentsModule {}
