import { RecordedEvent } from '@libs/event-store/event-store.types';
import { defineSaga, SagaEventHandler, SagaReaction } from '@libs/eventsourcing/sagas/saga';

/**
 * Drives a run: plan it, then one batch after another, then complete it. Each step is a command
 * with an id derived from the event that caused it, and a batch's result is an event of its own
 * stream recorded before the next batch is asked for: after a crash the saga resumes at the
 * first batch without a result, and a redelivered command finds its batch recorded (no second
 * model call). Cancelled, failed or completed ends the instance; a batch command still in flight
 * then finds the run no longer running and does nothing.
 */
export interface AnalysisRunSagaState {
  runId: string;
  batchesTotal: number;
}

export const ANALYSIS_RUN_COMMANDS = {
  plan: 'analysis.plan-run',
  processBatch: 'analysis.process-run-batch',
  complete: 'analysis.complete-run',
} as const;

const byRun = (e: RecordedEvent) => (e.data as { runId?: string }).runId ?? null;

const ends: SagaEventHandler<AnalysisRunSagaState> = { instanceOf: byRun, react: () => ({ state: null }) };

const afterBatch: SagaEventHandler<AnalysisRunSagaState> = {
  instanceOf: byRun,
  react(state, e): SagaReaction<AnalysisRunSagaState> {
    if (!state) return { state: null };
    const next = (e.data as { batchIndex: number }).batchIndex + 1;
    if (next < state.batchesTotal) return { state, commands: [{ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId: state.runId, batchIndex: next } }] };
    return { state, commands: [{ type: ANALYSIS_RUN_COMMANDS.complete, data: { runId: state.runId } }] };
  },
};

export const analysisRunSaga = defineSaga<AnalysisRunSagaState>({
  name: 'analysis.run',
  on: {
    'analysis.run-requested': {
      instanceOf: byRun,
      react: (_state, e) => {
        const runId = byRun(e)!;
        return { state: { runId, batchesTotal: 0 }, commands: [{ type: ANALYSIS_RUN_COMMANDS.plan, data: { runId } }] };
      },
    },
    'analysis.run-started': {
      instanceOf: byRun,
      react(state, e) {
        if (!state) return { state: null };
        const batchesTotal = (e.data as { batchesTotal: number }).batchesTotal;
        const next = { ...state, batchesTotal };
        if (batchesTotal === 0) return { state: next, commands: [{ type: ANALYSIS_RUN_COMMANDS.complete, data: { runId: state.runId } }] };
        return { state: next, commands: [{ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId: state.runId, batchIndex: 0 } }] };
      },
    },
    'analysis.run-batch-completed': afterBatch,
    'analysis.run-batch-failed': afterBatch,
    'analysis.run-completed': ends,
    'analysis.run-failed': ends,
    'analysis.run-cancelled': ends,
  },
});
