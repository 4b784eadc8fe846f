import { RecordedEvent } from '@libs/event-store/event-store.types';
import { ANALYSIS_RUN_COMMANDS, analysisRunSaga, AnalysisRunSagaState, BATCHES_IN_FLIGHT } from './analysis-run.saga';

const runId = 'run-1';
const event = (type: string, data: Record<string, unknown>) => ({ type, data: { runId, ...data } }) as unknown as RecordedEvent;
const react = (state: AnalysisRunSagaState | null, e: RecordedEvent) => analysisRunSaga.on[e.type].react(state, e);

describe('the analysis run saga', () => {
  it('plans the run it sees requested', () => {
    const e = event('analysis.run-requested', {});
    expect(analysisRunSaga.on[e.type].instanceOf(e)).toBe(runId);
    expect(react(null, e)).toEqual({ state: { runId, batchesTotal: 0 }, commands: [{ type: ANALYSIS_RUN_COMMANDS.plan, data: { runId } }] });
  });

  it('asks for the first batches once started (BATCHES_IN_FLIGHT of them), or completes a run with none', () => {
    const state = { runId, batchesTotal: 0 };
    expect(BATCHES_IN_FLIGHT).toBe(2);
    expect(react(state, event('analysis.run-started', { batchesTotal: 3 }))).toEqual({
      state: { runId, batchesTotal: 3, finished: 0 },
      commands: [0, 1].map((batchIndex) => ({ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId, batchIndex } })),
    });
    expect(react(state, event('analysis.run-started', { batchesTotal: 1 })).commands).toEqual([{ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId, batchIndex: 0 } }]);
    expect(react(state, event('analysis.run-started', { batchesTotal: 0 }))).toEqual({ state: { ...state, finished: 0 }, commands: [{ type: ANALYSIS_RUN_COMMANDS.complete, data: { runId } }] });
  });

  it('each result asks for the batch BATCHES_IN_FLIGHT further, whatever order they end in (a failed one too); the last result completes the run, once', () => {
    let state: AnalysisRunSagaState = { runId, batchesTotal: 5, finished: 0 };
    const asked: number[] = [0, 1];
    let completions = 0;
    // Batch 1 ends before batch 0; batch 3 fails.
    for (const [type, batchIndex] of [['completed', 1], ['completed', 0], ['failed', 3], ['completed', 2], ['completed', 4]] as const) {
      const r = react(state, event(`analysis.run-batch-${type}`, { batchIndex }));
      state = r.state!;
      for (const c of r.commands ?? []) {
        if (c.type === ANALYSIS_RUN_COMMANDS.complete) completions++;
        else asked.push((c.data as { batchIndex: number }).batchIndex);
      }
      if (batchIndex !== 4) expect(completions).toBe(0);
    }
    expect(asked.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(completions).toBe(1);
    expect(state.finished).toBe(5);
  });

  it('an instance started before the window (no `finished`) goes on one batch after another and completes after the last', () => {
    const state = { runId, batchesTotal: 3 };
    expect(react(state, event('analysis.run-batch-completed', { batchIndex: 0 })).commands).toEqual([{ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId, batchIndex: 1 } }]);
    expect(react(state, event('analysis.run-batch-failed', { batchIndex: 1 })).commands).toEqual([{ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId, batchIndex: 2 } }]);
    expect(react(state, event('analysis.run-batch-completed', { batchIndex: 2 })).commands).toEqual([{ type: ANALYSIS_RUN_COMMANDS.complete, data: { runId } }]);
  });

  it('ends with the run: completed, failed or cancelled; a batch of an unknown instance is ignored', () => {
    for (const type of ['analysis.run-completed', 'analysis.run-failed', 'analysis.run-cancelled']) expect(react({ runId, batchesTotal: 2 }, event(type, {}))).toEqual({ state: null });
    expect(react(null, event('analysis.run-batch-completed', { batchIndex: 0 }))).toEqual({ state: null });
  });
});
