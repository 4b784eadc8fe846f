import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { BatchedConsumers } from '@libs/eventsourcing/subscriptions/batched-consumers';
import { JobQueue } from '@libs/jobs/job-queue';
import { AiAgentsQueries } from '@modules/analysis/infrastructure/ai-agents.queries';
import { AgentExecutionRunner } from './execute-ai-agent/agent-execution.runner';
import { AiWorkDispatcher, EXECUTION_JOB, ExecutionJob, EXPERIMENT_JOB, ExperimentJob } from './execute-ai-agent/ai-work-dispatcher.consumer';
import { EventTriggeredAgentsConsumer } from './execute-ai-agent/event-triggered-agents.consumer';
import { ClassificationExperimentRunner } from './run-classification-experiment/classification-experiment.runner';
import { WorkspaceMembers } from '@modules/identity/contracts';

/**
 * The AI agents part's wiring (its read models: AiAgentsProjectionsModule): the two jobs (an experiment's run, an
 * execution's run) and the two durable consumers (event triggers, the dispatcher of requested work).
 */
@Injectable()
export class AiAgentsRegistrar implements OnModuleInit {
  constructor(
    private readonly consumers: BatchedConsumers,
    private readonly queue: JobQueue,
    private readonly queries: AiAgentsQueries,
    private readonly handler: EventSourcedCommandHandler,
    private readonly store: PostgresEventStore,
    private readonly eventTypes: EventTypeRegistry,
    private readonly experiments: ClassificationExperimentRunner,
    private readonly executions: AgentExecutionRunner,
    private readonly members: WorkspaceMembers,
  ) {}

  onModuleInit(): void {
    // A model error fails the experiment or execution itself; a retry is for what broke around it (a crash, the database).
    this.queue.define<ExperimentJob>(EXPERIMENT_JOB, async (job) => ({ outcome: await this.experiments.run(job.data.workspaceId, job.data.experimentId, job.signal) }), { retryLimit: 2, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 * 60 });
    this.queue.define<ExecutionJob>(EXECUTION_JOB, async (job) => ({ outcome: await this.executions.run(job.data.workspaceId, job.data.executionId) }), { retryLimit: 2, retryDelay: 5, retryBackoff: true, expireInSeconds: 15 * 60 });
    const options = (holder: string) => ({ batchSize: 200, maxAttempts: 3, backoffMs: 100, holder });
    this.consumers.register('integration', (holder) => new EventTriggeredAgentsConsumer(this.consumers.deps, options(holder), this.queries, this.handler, this.store, this.eventTypes, this.members));
    this.consumers.register('integration', (holder) => new AiWorkDispatcher(this.consumers.deps, options(holder), this.queue));
  }
}
