import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { analysisRunDecider } from './analysis-run.decider';
import { AnalysisRunEvent, RunAccuracy } from './analysis-run.events';
import { AnalysisRunsError, AnalysisRunsErrorCode } from './analysis-runs.errors';

const spec = DeciderSpecification(analysisRunDecider);
const at = '2026-03-04T10:00:00.000Z';
const runId = 'run-1';
const requestedData = {
  runId,
  workspaceId: 'ws-1',
  window: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-08T00:00:00.000Z', sourceIds: [], channels: [] },
  agentAssignmentId: 'as-1',
  projectConfigId: null,
  configSnapshot: { engine: 'builtin' },
  triggerType: 'manual' as const,
  triggeredBy: 'user-1',
  at,
};
const requested: AnalysisRunEvent = { type: 'analysis.run-requested', data: requestedData };
const started: AnalysisRunEvent = { type: 'analysis.run-started', data: { runId, totalMessagesInWindow: 10, messagesAfterPrefilter: 8, prefilteredOut: { noise: 2 }, batchesTotal: 2, at } };
const completed: AnalysisRunEvent = { type: 'analysis.run-completed', data: { runId, at } };
const accuracy: RunAccuracy = { reviewed: 2, approved: 1, merged: 0, rejected: 1, edited: 0, precision: 0.5, avgConfidenceKept: 0.8, avgConfidenceRejected: 0.6 };
const reviewed: AnalysisRunEvent = { type: 'analysis.run-reviewed', data: { runId, accuracy, at } };
const refusedTransition = (e: AnalysisRunsError) => expect(e.code).toBe(AnalysisRunsErrorCode.RunTransitionRefused);

describe('analysis run decider: pending -> running -> completed -> reviewed -> closed, or failed | cancelled', () => {
  it('a request starts the run pending; requesting again changes nothing', () => {
    spec.given([]).when({ kind: 'request', ...requestedData }).then([requested]);
    spec.given([requested]).when({ kind: 'request', ...requestedData }).thenNothingHappened();
  });

  it('start moves pending to running once (planning again after a crash appends nothing)', () => {
    spec.given([requested]).when({ kind: 'start', totalMessagesInWindow: 10, messagesAfterPrefilter: 8, prefilteredOut: { noise: 2 }, batchesTotal: 2, at }).then([started]);
    spec.given([requested, started]).when({ kind: 'start', totalMessagesInWindow: 10, messagesAfterPrefilter: 8, prefilteredOut: {}, batchesTotal: 2, at }).thenNothingHappened();
  });

  it('completes with proposals pending; with none pending it is reviewed at once', () => {
    spec.given([requested, started]).when({ kind: 'complete', pendingProposals: 3, accuracy, at }).then([completed]);
    spec.given([requested, started]).when({ kind: 'complete', pendingProposals: 0, accuracy, at }).then([completed, reviewed]);
    spec.given([requested, started, completed]).when({ kind: 'complete', pendingProposals: 0, accuracy, at }).thenNothingHappened();
  });

  it('becomes reviewed only when completed and none is pending', () => {
    spec.given([requested, started, completed]).when({ kind: 'mark-reviewed', pendingProposals: 0, accuracy, at }).then([reviewed]);
    spec.given([requested, started, completed]).when({ kind: 'mark-reviewed', pendingProposals: 1, accuracy, at }).thenNothingHappened();
    spec.given([requested, started]).when({ kind: 'mark-reviewed', pendingProposals: 0, accuracy, at }).thenNothingHappened();
  });

  it('closes only once reviewed', () => {
    spec.given([requested, started, completed, reviewed]).when({ kind: 'close', by: 'u', at }).then([{ type: 'analysis.run-closed', data: { runId, by: 'u', at } }]);
    spec.given([requested, started, completed]).when({ kind: 'close', by: 'u', at }).thenThrows(AnalysisRunsError, refusedTransition);
  });

  it('cancels a pending or running run; an ended run refuses; cancelling twice is a no-op', () => {
    const cancelled: AnalysisRunEvent = { type: 'analysis.run-cancelled', data: { runId, by: 'u', at } };
    spec.given([requested]).when({ kind: 'cancel', by: 'u', at }).then([cancelled]);
    spec.given([requested, started]).when({ kind: 'cancel', by: 'u', at }).then([cancelled]);
    spec.given([requested, started, cancelled]).when({ kind: 'cancel', by: 'u', at }).thenNothingHappened();
    spec.given([requested, started, completed]).when({ kind: 'cancel', by: 'u', at }).thenThrows(AnalysisRunsError, refusedTransition);
  });

  it('fails from pending or running with its error; a late failure after the end changes nothing', () => {
    const error = { code: 'BUDGET_EXCEEDED', message: 'spent' };
    spec.given([requested, started]).when({ kind: 'fail', error, at }).then([{ type: 'analysis.run-failed', data: { runId, error, at } }]);
    spec.given([requested, started, { type: 'analysis.run-cancelled', data: { runId, by: null, at } }]).when({ kind: 'fail', error, at }).thenNothingHappened();
    spec.given([requested, started, completed]).when({ kind: 'fail', error, at }).thenNothingHappened();
  });

  it('a cancelled run never starts or completes', () => {
    const cancelled: AnalysisRunEvent = { type: 'analysis.run-cancelled', data: { runId, by: null, at } };
    spec.given([requested, cancelled]).when({ kind: 'start', totalMessagesInWindow: 1, messagesAfterPrefilter: 1, prefilteredOut: {}, batchesTotal: 1, at }).thenNothingHappened();
    spec.given([requested, started, cancelled]).when({ kind: 'complete', pendingProposals: 0, accuracy, at }).thenNothingHappened();
  });
});
