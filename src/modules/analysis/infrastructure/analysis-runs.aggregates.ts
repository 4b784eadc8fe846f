import { Injectable } from '@nestjs/common';
import { defineAggregate } from '@libs/eventsourcing/aggregate/define-aggregate';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { analysisRunDecider } from '@modules/analysis/domain/analysis-run/analysis-run.decider';
import { AnalysisRunsError, AnalysisRunsErrorCode } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { runBatchDecider } from '@modules/analysis/domain/analysis-run/run-batch.decider';
import { taskProposalDecider } from '@modules/analysis/domain/task-proposal/task-proposal.decider';
import { taskDecider } from '@modules/analysis/domain/task/task.decider';

const stale = (_err: unknown, expected: number) => new AnalysisRunsError(AnalysisRunsErrorCode.StaleVersion, `It changed since version ${expected}`, { expectedVersion: expected });

export const analysisRunAggregate = defineAggregate(analysisRunDecider, {
  streamType: 'analysis-run',
  result: ({ state, version }) => ({ runId: state.runId, status: state.status, version }),
  staleVersion: stale,
});

/** Written by the run's own commands only (the saga's), never by a client. */
export const runBatchAggregate = defineAggregate(runBatchDecider, {
  streamType: 'analysis-run-batch',
  result: ({ state, version }) => ({ status: state.status, version }),
  ignores: ['expectedVersion'],
});

export const taskProposalAggregate = defineAggregate(taskProposalDecider, {
  streamType: 'analysis-task-proposal',
  result: ({ state, version }) => ({ status: state.status, runs: state.runs, version }),
  staleVersion: stale,
});

export const taskAggregate = defineAggregate(taskDecider, {
  streamType: 'analysis-task',
  result: ({ version }) => ({ version }),
  staleVersion: stale,
});

/** The runs part's aggregates bound to the command handler. */
@Injectable()
export class AnalysisRunsAggregates {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  readonly run = analysisRunAggregate.bind(this.handler);
  readonly batch = runBatchAggregate.bind(this.handler);
  readonly proposal = taskProposalAggregate.bind(this.handler);
  readonly task = taskAggregate.bind(this.handler);
}
