import { Injectable } from '@nestjs/common';
import { defineAggregate } from '@libs/eventsourcing/aggregate/define-aggregate';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { AnalysisUsageError, AnalysisUsageErrorCode } from '@modules/analysis/domain/analysis-usage.errors';
import { llmBudgetDecider } from '@modules/analysis/domain/llm-budget/llm-budget.decider';

/** One budget stream per workspace: `analysis-budget-<workspaceId>`. */
export const llmBudgetAggregate = defineAggregate(llmBudgetDecider, {
  streamType: 'analysis-budget',
  result: ({ version }) => ({ version }),
  staleVersion: (err, expected) =>
    new AnalysisUsageError(AnalysisUsageErrorCode.BudgetStaleVersion, `The budget changed since version ${expected}: it is at version ${err.actualVersion ?? 0}; read it again`, {
      expectedVersion: expected,
      actualVersion: err.actualVersion ?? 0,
    }),
});

/** The usage part's aggregates, bound to the command handler. */
@Injectable()
export class AnalysisUsageAggregates {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  readonly budget = llmBudgetAggregate.bind(this.handler);
}
