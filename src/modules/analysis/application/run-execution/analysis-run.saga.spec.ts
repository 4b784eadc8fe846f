import { RecordedEvent } from '@libs/event-store/event-store.types';
import { ANALYSIS_RUN_COMMANDS, analysisRunSaga, AnalysisRunSagaState } from './analysis-run.saga';

const runId = 'run-1';
const event = (type: string, data: Record<string, unknown>) => ({ type, data: { runId, ...data } }) as unknown as RecordedEvent;
const react = (state: AnalysisRunSagaState | null, e: RecordedEvent) => analysisRunSaga.on[e.type].react(state, e);

describe('the analysis run saga', () => {
  it('plans the run it sees requested', () => {
    const e = event('analysis.run-requested', {});
    expect(analysisRunSaga.on[e.type].instanceOf(e)).toBe(runId);
    expect(react(null, e)).toEqual({ state: { runId, batchesTotal: 0 }, commands: [{ type: ANALYSIS_RUN_COMMANDS.plan, data: { runId } }] });
  });

  it('asks for the first batch once started, or completes a run with none', () => {
    const state = { runId, batchesTotal: 0 };
    expect(react(state, event('analysis.run-started', { batchesTotal: 3 }))).toEqual({ state: { runId, batchesTotal: 3 }, commands: [{ type: ANALYSIS_RUN_COMMANDS.processBatch, data: { runId, batchIndex: 0 } }] });
    expect(react(state, event('analysis.run-started', { batchesTotal: 0 }))).toEqual({ state, commands: [{ type: ANALYSIS_RUN_COMMANDS.complete, data: { runId } }] });
  });

  it('one batch after another, a failed one too; after the last, completion', () => {
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
