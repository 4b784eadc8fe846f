import { Decider } from '@libs/eventsourcing/decider';
import { AnalysisRunsError, AnalysisRunsErrorCode } from './analysis-runs.errors';
import { BatchFailure, BatchUsage, ProposedTask, RunBatchEvent } from './run-batch.events';

export interface RunBatchState {
  status: 'none' | 'planned' | 'completed' | 'failed';
  runId: string | null;
  batchIndex: number;
  messageIds: string[];
  tasks: ProposedTask[];
}

export type RunBatchCommand =
  | { kind: 'plan'; runId: string; batchIndex: number; messageIds: string[]; estimatedTokens: number }
  | { kind: 'complete'; tasks: ProposedTask[]; dropped: number; usage: BatchUsage; at: string }
  | { kind: 'fail'; error: BatchFailure; usage: BatchUsage; at: string };

/** A batch gets one result: the second is refused, and the caller reads the first. */
export const runBatchDecider: Decider<RunBatchCommand, RunBatchState, RunBatchEvent> = {
  initialState: () => ({ status: 'none', runId: null, batchIndex: -1, messageIds: [], tasks: [] }),

  evolve(state, event) {
    switch (event.type) {
      case 'analysis.run-batch-planned':
        return { ...state, status: 'planned', runId: event.data.runId, batchIndex: event.data.batchIndex, messageIds: event.data.messageIds };
      case 'analysis.run-batch-completed':
        return { ...state, status: 'completed', tasks: event.data.tasks };
      case 'analysis.run-batch-failed':
        return { ...state, status: 'failed' };
    }
  },

  decide(command, state) {
    if (command.kind === 'plan') {
      if (state.status !== 'none') return [];
      const { kind: _kind, ...data } = command;
      return { type: 'analysis.run-batch-planned', data };
    }
    if (state.status === 'none') throw new AnalysisRunsError(AnalysisRunsErrorCode.BatchAlreadyRecorded, 'The batch was never planned');
    if (state.status !== 'planned') throw new AnalysisRunsError(AnalysisRunsErrorCode.BatchAlreadyRecorded, 'The batch already has its result', { status: state.status });
    const base = { runId: state.runId!, batchIndex: state.batchIndex };
    if (command.kind === 'complete') {
      return { type: 'analysis.run-batch-completed', data: { ...base, tasks: command.tasks, dropped: command.dropped, usage: command.usage, at: command.at } };
    }
    return { type: 'analysis.run-batch-failed', data: { ...base, error: command.error, usage: command.usage, at: command.at } };
  },
};
