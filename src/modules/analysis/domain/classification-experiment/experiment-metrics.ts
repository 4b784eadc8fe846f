/**
 * The measures of a classification experiment, as pure functions over (expected, predicted)
 * pairs. Conventions (scikit-learn's, with zero_division = 0): a label nobody predicted has
 * precision 0, a label nobody expected has recall 0; macro-F1 averages the F1 of the labels that
 * occur as expected or predicted (a label of the set that neither side used says nothing about
 * the model and is left out, as scikit-learn does without an explicit label list).
 */
export interface LabelledPrediction {
  expected: string;
  predicted: string;
  /** 0..1, the model's own confidence in `predicted`. */
  confidence: number;
  executionTimeMs: number;
}

export interface ConfusionMatrix {
  /** Row and column order: the label set, then any other label seen (in order of first sight). */
  labels: string[];
  /** matrix[i][j]: messages expected as labels[i] and predicted as labels[j]. */
  matrix: number[][];
}

export interface LabelScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Messages expected as this label. */
  support: number;
}

export interface ExperimentMetrics {
  messageCount: number;
  correct: number;
  accuracy: number;
  macroF1: number;
  avgConfidence: number;
  avgExecutionTimeMs: number;
  perLabel: LabelScores[];
  confusionMatrix: ConfusionMatrix;
}

export function confusionMatrix(labelSet: readonly string[], results: readonly Pick<LabelledPrediction, 'expected' | 'predicted'>[]): ConfusionMatrix {
  const labels = [...labelSet];
  const index = new Map(labels.map((l, i) => [l, i]));
  const indexOf = (label: string) => {
    let i = index.get(label);
    if (i === undefined) {
      i = labels.length;
      labels.push(label);
      index.set(label, i);
    }
    return i;
  };
  for (const r of results) {
    indexOf(r.expected);
    indexOf(r.predicted);
  }
  const matrix = labels.map(() => labels.map(() => 0));
  for (const r of results) matrix[index.get(r.expected)!][index.get(r.predicted)!]++;
  return { labels, matrix };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Precision, recall, F1 and support of every label of the matrix that was expected or predicted. */
export function labelScores(cm: ConfusionMatrix): LabelScores[] {
  const out: LabelScores[] = [];
  cm.labels.forEach((label, i) => {
    const tp = cm.matrix[i][i];
    const support = cm.matrix[i].reduce((a, b) => a + b, 0);
    const predicted = cm.matrix.reduce((a, row) => a + row[i], 0);
    if (support === 0 && predicted === 0) return;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    out.push({ label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support });
  });
  return out;
}

export function accuracy(results: readonly Pick<LabelledPrediction, 'expected' | 'predicted'>[]): number {
  return ratio(results.filter((r) => r.expected === r.predicted).length, results.length);
}

export function macroF1(scores: readonly LabelScores[]): number {
  return ratio(
    scores.reduce((a, s) => a + s.f1, 0),
    scores.length,
  );
}

const mean = (values: number[]) => ratio(
  values.reduce((a, b) => a + b, 0),
  values.length,
);

export function experimentMetrics(labelSet: readonly string[], results: readonly LabelledPrediction[]): ExperimentMetrics {
  const cm = confusionMatrix(labelSet, results);
  const perLabel = labelScores(cm);
  return {
    messageCount: results.length,
    correct: results.filter((r) => r.expected === r.predicted).length,
    accuracy: accuracy(results),
    macroF1: macroF1(perLabel),
    avgConfidence: mean(results.map((r) => r.confidence)),
    avgExecutionTimeMs: mean(results.map((r) => r.executionTimeMs)),
    perLabel,
    confusionMatrix: cm,
  };
}

export interface ComparedMessage {
  /** Position in the experiment's message list. */
  index: number;
  messageId: string | null;
  expected: string;
  a: { predicted: string; confidence: number };
  b: { predicted: string; confidence: number };
}

export interface ExperimentComparison {
  accuracy: { a: number; b: number; delta: number };
  macroF1: { a: number; b: number; delta: number };
  avgConfidence: { a: number; b: number; delta: number };
  avgExecutionTimeMs: { a: number; b: number; delta: number };
  /** Every label either experiment scored, with both sides (null: that side never saw the label). */
  perLabel: { label: string; a: LabelScores | null; b: LabelScores | null }[];
  /** Messages both experiments classified (same message id, else same text) on which they disagree. */
  disagreements: ComparedMessage[];
  /** Messages the two experiments had in common. */
  sharedMessages: number;
}

export interface ComparableResult {
  messageId: string | null;
  text: string;
  expected: string;
  predicted: string;
  confidence: number;
}

const delta = (a: number, b: number) => ({ a, b, delta: b - a });

/** B against A: deltas are B minus A. Messages are matched by message id, else by their text. */
export function compareExperiments(a: { metrics: ExperimentMetrics; results: ComparableResult[] }, b: { metrics: ExperimentMetrics; results: ComparableResult[] }): ExperimentComparison {
  const keyOf = (r: ComparableResult) => (r.messageId ? `id:${r.messageId}` : `text:${r.text}`);
  const inB = new Map(b.results.map((r) => [keyOf(r), r]));
  const disagreements: ComparedMessage[] = [];
  let shared = 0;
  a.results.forEach((ra, index) => {
    const rb = inB.get(keyOf(ra));
    if (!rb) return;
    shared++;
    if (ra.predicted !== rb.predicted) {
      disagreements.push({ index, messageId: ra.messageId, expected: ra.expected, a: { predicted: ra.predicted, confidence: ra.confidence }, b: { predicted: rb.predicted, confidence: rb.confidence } });
    }
  });
  const labels = [...new Set([...a.metrics.perLabel.map((s) => s.label), ...b.metrics.perLabel.map((s) => s.label)])];
  return {
    accuracy: delta(a.metrics.accuracy, b.metrics.accuracy),
    macroF1: delta(a.metrics.macroF1, b.metrics.macroF1),
    avgConfidence: delta(a.metrics.avgConfidence, b.metrics.avgConfidence),
    avgExecutionTimeMs: delta(a.metrics.avgExecutionTimeMs, b.metrics.avgExecutionTimeMs),
    perLabel: labels.map((label) => ({ label, a: a.metrics.perLabel.find((s) => s.label === label) ?? null, b: b.metrics.perLabel.find((s) => s.label === label) ?? null })),
    disagreements,
    sharedMessages: shared,
  };
}
