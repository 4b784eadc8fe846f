import { RecordedEvent } from '@libs/event-store/event-store.types';
import { defineSaga, SagaEventHandler, SagaReaction } from '@libs/eventsourcing/sagas/saga';

/**
 * Drives a run: plan it, then its batches, then complete it. Each step is a command with an id
 * derived from the event that caused it, and a batch's result is an event of its own stream.
 * BATCHES_IN_FLIGHT batches run at a time (their messages are disjoint, each is its own stream):
 * while one batch's proposals are written, the next one is being read by the detector or the
 * model. The result of batch i asks for batch i + BATCHES_IN_FLIGHT, so each batch is asked for
 * once; the run completes when every batch has a result. After a crash the outbox still holds the
 * commands not yet done, and a redelivered command finds its batch recorded (no second model
 * call). Cancelled, failed or completed ends the instance; a batch command still in flight then
 * finds the run no longer running and does nothing.
 */
export interface AnalysisRunSagaState {
  runId: string;
  batchesTotal: number;
  /** Batches with a result. Absent in an instance started one batch at a time (before the window). */
  finished?: number;
}

/** Two: the saga's commands run in two lanes, so the app's work on one batch overlaps the database's on another. */
export const BATCHES_IN_FLIGHT = 2;

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
    const batchIndex = (e.data as { batchIndex: number }).batchIndex;
    // An instance from before the window went one batch at a time: every earlier batch is done.
    const sequential = state.finished === undefined;
    const finished = sequential ? batchIndex + 1 : state.finished! + 1;
    const next = batchIndex + (sequential ? 1 : BATCHES_IN_FLIGHT);
    const commands = [];
    if (next < state.batchesTotal) commands.push({ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId: state.runId, batchIndex: next } });
    if (finished >= state.batchesTotal) commands.push({ type: ANALYSIS_RUN_COMMANDS.complete, data: { runId: state.runId } });
    return { state: sequential ? state : { ...state, finished }, commands };
  },
};

export const analysisRunSaga = defineSaga<AnalysisRunSagaState>({
  name: 'analysis.run',
  commandConcurrency: BATCHES_IN_FLIGHT,
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
        const next = { ...state, batchesTotal, finished: 0 };
        if (batchesTotal === 0) return { state: next, commands: [{ type: ANALYSIS_RUN_COMMANDS.complete, data: { runId: state.runId } }] };
        const first = Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batchesTotal) }, (_, batchIndex) => ({ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId: state.runId, batchIndex } }));
        return { state: next, commands: first };
      },
    },
    'analysis.run-batch-completed': afterBatch,
    'analysis.run-batch-failed': afterBatch,
    'analysis.run-completed': ends,
    'analysis.run-failed': ends,
    'analysis.run-cancelled': ends,
  },
});
