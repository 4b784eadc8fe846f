import { RecordedEvent } from '@libs/event-store/event-store.types';
import { BatchedConsumer, ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import { JobQueue } from '@libs/jobs/job-queue';
import { AgentExecutionEvent } from '@modules/analysis/domain/agent-execution/agent-execution.decider';
import { ClassificationExperimentEvent } from '@modules/analysis/domain/classification-experiment/classification-experiment.decider';

export const EXPERIMENT_JOB = 'analysis.classification-experiment';
export const EXECUTION_JOB = 'analysis.agent-execution';

export interface ExperimentJob {
  workspaceId: string;
  experimentId: string;
}
export interface ExecutionJob {
  workspaceId: string;
  executionId: string;
}

type Requested = Extract<AgentExecutionEvent | ClassificationExperimentEvent, { type: 'analysis.agent-execution-requested' | 'analysis.classification-experiment-requested' }>;

/**
 * Queues the run of every requested experiment and manual or event-triggered execution (a
 * scheduled one runs inside its agent's scheduled job). A durable consumer, so a request whose
 * process stopped right after recording it is still run. The job id is the experiment's or the
 * execution's id: a redelivered request queues nothing more (pg-boss ignores a known id), and the
 * runners skip what already ended. Queued in `prepare`, outside the checkpoint's transaction.
 */
export class AiWorkDispatcher extends BatchedConsumer<number> {
  readonly name = 'analysis.ai-work-dispatcher';
  readonly eventTypes = ['analysis.agent-execution-requested', 'analysis.classification-experiment-requested'];
  readonly ordering = 'none' as const;

  constructor(
    deps: ConsumerDeps,
    options: ConsumerOptions,
    private readonly queue: JobQueue,
  ) {
    super(deps, options);
  }

  override async prepare(events: RecordedEvent[]): Promise<number> {
    let queued = 0;
    for (const e of events as unknown as (RecordedEvent & Requested)[]) {
      if (e.type === 'analysis.classification-experiment-requested') {
        const d = e.data;
        await this.queue.enqueue<ExperimentJob>(EXPERIMENT_JOB, { workspaceId: d.workspaceId, experimentId: d.experimentId }, { id: d.experimentId });
        queued++;
      } else if (e.data.triggerType !== 'scheduled') {
        const d = e.data;
        await this.queue.enqueue<ExecutionJob>(EXECUTION_JOB, { workspaceId: d.workspaceId, executionId: d.executionId }, { id: d.executionId });
        queued++;
      }
    }
    return queued;
  }

  async apply(): Promise<void> {}
}
