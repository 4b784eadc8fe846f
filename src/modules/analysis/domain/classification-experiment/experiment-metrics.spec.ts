import { accuracy, compareExperiments, confusionMatrix, experimentMetrics, labelScores, macroF1 } from './experiment-metrics';

const r = (expected: string, predicted: string, confidence = 0.5, executionTimeMs = 10) => ({ expected, predicted, confidence, executionTimeMs });

// Worked by hand: billing 2 of 3 right (one taken for mobile), mobile 1 of 2 (one taken for billing), other 1 of 1.
const RESULTS = [r('billing', 'billing', 0.9, 10), r('billing', 'billing', 0.8, 20), r('billing', 'mobile', 0.4, 30), r('mobile', 'mobile', 0.7, 40), r('mobile', 'billing', 0.6, 50), r('other', 'other', 0.6, 60)];

describe('experiment metrics', () => {
  it('counts expected (rows) against predicted (columns) in the label set order', () => {
    expect(confusionMatrix(['billing', 'mobile', 'other'], RESULTS)).toEqual({
      labels: ['billing', 'mobile', 'other'],
      matrix: [
        [2, 1, 0],
        [1, 1, 0],
        [0, 0, 1],
      ],
    });
  });

  it('adds a label outside the set (a model answering off the list) as its own row and column', () => {
    const cm = confusionMatrix(['a', 'b'], [r('a', 'x'), r('b', 'b')]);
    expect(cm).toEqual({ labels: ['a', 'b', 'x'], matrix: [[0, 0, 1], [0, 1, 0], [0, 0, 0]] });
  });

  it('scores precision, recall and F1 per label, accuracy and macro-F1', () => {
    const scores = labelScores(confusionMatrix(['billing', 'mobile', 'other'], RESULTS));
    expect(scores.map((s) => s.label)).toEqual(['billing', 'mobile', 'other']);
    expect(scores[0].precision).toBeCloseTo(2 / 3);
    expect(scores[0].recall).toBeCloseTo(2 / 3);
    expect(scores[0].f1).toBeCloseTo(2 / 3);
    expect(scores[0].support).toBe(3);
    expect(scores[1]).toEqual({ label: 'mobile', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(scores[2]).toEqual({ label: 'other', precision: 1, recall: 1, f1: 1, support: 1 });
    expect(accuracy(RESULTS)).toBeCloseTo(4 / 6);
    expect(macroF1(scores)).toBeCloseTo((2 / 3 + 0.5 + 1) / 3);
  });

  it('gives 0 where a ratio has no denominator and leaves labels neither side used out of macro-F1', () => {
    const scores = labelScores(confusionMatrix(['a', 'b', 'c'], [r('a', 'a'), r('a', 'b')]));
    expect(scores.map((s) => s.label)).toEqual(['a', 'b']);
    expect(scores[1]).toEqual({ label: 'b', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(scores[0].f1).toBeCloseTo(2 / 3);
    expect(macroF1(scores)).toBeCloseTo(1 / 3);
  });

  it('averages confidence and execution time; an empty experiment scores 0 everywhere', () => {
    const m = experimentMetrics(['billing', 'mobile', 'other'], RESULTS);
    expect(m).toMatchObject({ messageCount: 6, correct: 4, avgExecutionTimeMs: 35 });
    expect(m.avgConfidence).toBeCloseTo(4 / 6);
    expect(experimentMetrics(['a', 'b'], [])).toMatchObject({ messageCount: 0, correct: 0, accuracy: 0, macroF1: 0, avgConfidence: 0, avgExecutionTimeMs: 0, perLabel: [] });
  });

  it('compares B against A: deltas, both sides per label, and the shared messages they disagree on', () => {
    const res = (messageId: string | null, text: string, expected: string, predicted: string, confidence: number) => ({ messageId, text, expected, predicted, confidence, executionTimeMs: 1 });
    const a = [res('m1', 'one', 'x', 'x', 0.9), res(null, 'two', 'y', 'x', 0.6), res('m3', 'three', 'y', 'y', 0.8)];
    const b = [res('m1', 'one', 'x', 'y', 0.5), res(null, 'two', 'y', 'y', 0.7), res('m4', 'four', 'x', 'x', 0.9)];
    const cmp = compareExperiments({ metrics: experimentMetrics(['x', 'y'], a), results: a }, { metrics: experimentMetrics(['x', 'y'], b), results: b });
    expect(cmp.sharedMessages).toBe(2);
    expect(cmp.disagreements).toEqual([
      { index: 0, messageId: 'm1', expected: 'x', a: { predicted: 'x', confidence: 0.9 }, b: { predicted: 'y', confidence: 0.5 } },
      { index: 1, messageId: null, expected: 'y', a: { predicted: 'x', confidence: 0.6 }, b: { predicted: 'y', confidence: 0.7 } },
    ]);
    expect(cmp.accuracy.a).toBeCloseTo(2 / 3);
    expect(cmp.accuracy.delta).toBeCloseTo(0);
    expect(cmp.avgConfidence.delta).toBeCloseTo(0.7 - 23 / 30);
    expect(cmp.perLabel.map((l) => l.label)).toEqual(['x', 'y']);
    expect(cmp.perLabel[0].a).toMatchObject({ precision: 0.5, recall: 1 });
    expect(cmp.perLabel[0].b).toMatchObject({ precision: 1, recall: 0.5 });
  });
});
