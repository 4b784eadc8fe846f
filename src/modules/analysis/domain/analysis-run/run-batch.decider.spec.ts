import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { AnalysisRunsError, AnalysisRunsErrorCode } from './analysis-runs.errors';
import { runBatchDecider } from './run-batch.decider';
import { ProposedTask, RunBatchEvent } from './run-batch.events';

const spec = DeciderSpecification(runBatchDecider);
const at = '2026-03-04T10:00:00.000Z';
const usage = { calls: 1, tokensIn: 100, tokensOut: 20, costUsd: 0.0001 };
const planned: RunBatchEvent = { type: 'analysis.run-batch-planned', data: { runId: 'r', batchIndex: 3, messageIds: ['m1', 'm2'], estimatedTokens: 50 } };
const task: ProposedTask = {
  title: 'Fix the export', description: 'd', sources: [{ messageId: 'm1', quote: "I'll fix the export" }], confidence: 0.8, reasoning: 'commitment',
  priority: 'medium', category: 'bug', recommendation: 'new_task', ownerId: null, dueDate: null, tags: [], subTasks: [],
};
const completed: RunBatchEvent = { type: 'analysis.run-batch-completed', data: { runId: 'r', batchIndex: 3, tasks: [task], dropped: 0, usage, at } };
const alreadyRecorded = (e: AnalysisRunsError) => expect(e.code).toBe(AnalysisRunsErrorCode.BatchAlreadyRecorded);

describe('run batch decider: one result per batch (no second model call for a recorded batch)', () => {
  it('plans once', () => {
    spec.given([]).when({ kind: 'plan', runId: 'r', batchIndex: 3, messageIds: ['m1', 'm2'], estimatedTokens: 50 }).then([planned]);
    spec.given([planned]).when({ kind: 'plan', runId: 'r', batchIndex: 3, messageIds: ['m9'], estimatedTokens: 5 }).thenNothingHappened();
  });

  it('records a result or a failure with its usage', () => {
    spec.given([planned]).when({ kind: 'complete', tasks: [task], dropped: 0, usage, at }).then([completed]);
    const error = { code: 'INVALID_ANSWER', message: 'schema' };
    spec.given([planned]).when({ kind: 'fail', error, usage, at }).then([{ type: 'analysis.run-batch-failed', data: { runId: 'r', batchIndex: 3, error, usage, at } }]);
  });

  it('refuses a second result, whatever it is', () => {
    spec.given([planned, completed]).when({ kind: 'complete', tasks: [], dropped: 0, usage, at }).thenThrows(AnalysisRunsError, alreadyRecorded);
    spec.given([planned, completed]).when({ kind: 'fail', error: { code: 'X', message: 'x' }, usage, at }).thenThrows(AnalysisRunsError, alreadyRecorded);
    spec.given([]).when({ kind: 'complete', tasks: [], dropped: 0, usage, at }).thenThrows(AnalysisRunsError, alreadyRecorded);
  });
});
