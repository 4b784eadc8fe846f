import { Decider } from '@libs/eventsourcing/decider';
import { AnalysisRunsError, AnalysisRunsErrorCode } from './analysis-runs.errors';
import { AnalysisRunEvent, AnalysisRunStatus, RunAccuracy, RunFailure, RunRequestedData } from './analysis-run.events';

/**
 * A run's lifecycle: pending -> running -> completed -> reviewed -> closed, or failed | cancelled
 * (from pending or running). Completed with nothing to review is reviewed at once.
 */
export interface AnalysisRunState {
  status: AnalysisRunStatus | null;
  runId: string | null;
  batchesTotal: number;
}

export type AnalysisRunCommand =
  | ({ kind: 'request' } & RunRequestedData)
  | { kind: 'start'; totalMessagesInWindow: number; messagesAfterPrefilter: number; prefilteredOut: Record<string, number>; batchesTotal: number; at: string }
  /** `pendingProposals` and `accuracy` are read by the handler: a decider never reads read models. */
  | { kind: 'complete'; pendingProposals: number; accuracy: RunAccuracy; at: string }
  | { kind: 'fail'; error: RunFailure; at: string }
  | { kind: 'cancel'; by: string | null; at: string }
  | { kind: 'mark-reviewed'; pendingProposals: number; accuracy: RunAccuracy; at: string }
  | { kind: 'close'; by: string | null; at: string };

const refused = (state: AnalysisRunState, action: string) =>
  new AnalysisRunsError(AnalysisRunsErrorCode.RunTransitionRefused, `A ${state.status} run cannot be ${action}`, { status: state.status });

const ACTIVE: readonly (AnalysisRunStatus | null)[] = ['pending', 'running'];

export const analysisRunDecider: Decider<AnalysisRunCommand, AnalysisRunState, AnalysisRunEvent> = {
  initialState: () => ({ status: null, runId: null, batchesTotal: 0 }),

  evolve(state, event) {
    switch (event.type) {
      case 'analysis.run-requested':
        return { ...state, status: 'pending', runId: event.data.runId };
      case 'analysis.run-started':
        return { ...state, status: 'running', batchesTotal: event.data.batchesTotal };
      case 'analysis.run-completed':
        return { ...state, status: 'completed' };
      case 'analysis.run-failed':
        return { ...state, status: 'failed' };
      case 'analysis.run-cancelled':
        return { ...state, status: 'cancelled' };
      case 'analysis.run-reviewed':
        return { ...state, status: 'reviewed' };
      case 'analysis.run-closed':
        return { ...state, status: 'closed' };
    }
  },

  decide(command, state) {
    switch (command.kind) {
      case 'request': {
        if (state.status !== null) return [];
        const { kind: _kind, ...data } = command;
        return { type: 'analysis.run-requested', data };
      }
      case 'start':
        // Planning again after a crash finds the run already started: nothing new.
        if (state.status !== 'pending') return [];
        return {
          type: 'analysis.run-started',
          data: {
            runId: state.runId!,
            totalMessagesInWindow: command.totalMessagesInWindow,
            messagesAfterPrefilter: command.messagesAfterPrefilter,
            prefilteredOut: command.prefilteredOut,
            batchesTotal: command.batchesTotal,
            at: command.at,
          },
        };
      case 'complete': {
        if (state.status !== 'running') return [];
        const completed: AnalysisRunEvent = { type: 'analysis.run-completed', data: { runId: state.runId!, at: command.at } };
        if (command.pendingProposals > 0) return completed;
        return [completed, { type: 'analysis.run-reviewed', data: { runId: state.runId!, accuracy: command.accuracy, at: command.at } }];
      }
      case 'fail':
        // A failure reported after the run ended (a late batch) changes nothing.
        if (!ACTIVE.includes(state.status)) return [];
        return { type: 'analysis.run-failed', data: { runId: state.runId!, error: command.error, at: command.at } };
      case 'cancel':
        if (state.status === 'cancelled') return [];
        if (!ACTIVE.includes(state.status)) throw refused(state, 'cancelled');
        return { type: 'analysis.run-cancelled', data: { runId: state.runId!, by: command.by, at: command.at } };
      case 'mark-reviewed':
        if (state.status !== 'completed' || command.pendingProposals > 0) return [];
        return { type: 'analysis.run-reviewed', data: { runId: state.runId!, accuracy: command.accuracy, at: command.at } };
      case 'close':
        if (state.status === 'closed') return [];
        if (state.status !== 'reviewed') throw refused(state, 'closed before it is reviewed');
        return { type: 'analysis.run-closed', data: { runId: state.runId!, by: command.by, at: command.at } };
    }
  },
};
