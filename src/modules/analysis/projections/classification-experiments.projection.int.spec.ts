import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { ClassificationExperimentEvent } from '@modules/analysis/domain/classification-experiment/classification-experiment.decider';
import { experimentMetrics } from '@modules/analysis/domain/classification-experiment/experiment-metrics';
import { ClassificationExperimentsProjection } from '@modules/analysis/projections/classification-experiments.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const experimentId = '0193a000-0000-7000-8000-000000006001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const providerId = '0193a000-0000-7000-8000-000000005001';
const at = '2026-12-03T10:00:00.000Z';
const later = '2026-12-03T10:05:00.000Z';
const messages = [{ messageId: null, text: 'refund please', expectedLabel: 'Billing' }, { messageId: null, text: 'app crashes', expectedLabel: 'Mobile' }];
const requested: ClassificationExperimentEvent = {
  type: 'analysis.classification-experiment-requested',
  data: { experimentId, workspaceId, providerId, modelName: 'builtin', labelSource: { kind: 'topics' }, messages, requestedBy: null, at },
};
const snapshot = [{ name: 'Billing', description: null }, { name: 'Mobile', description: null }];
const started: ClassificationExperimentEvent = { type: 'analysis.classification-experiment-started', data: { experimentId, topicsSnapshot: snapshot, at } };
const results = [
  { messageId: null, text: 'refund please', expectedLabel: 'Billing', predictedLabel: 'Billing', confidence: 0.9, executionTimeMs: 2, correct: true },
  { messageId: null, text: 'app crashes', expectedLabel: 'Mobile', predictedLabel: 'Billing', confidence: 0.5, executionTimeMs: 4, correct: false },
];
const metrics = experimentMetrics(['Billing', 'Mobile'], results.map((r) => ({ expected: r.expectedLabel, predicted: r.predictedLabel, confidence: r.confidence, executionTimeMs: r.executionTimeMs })));
const pending = {
  id: experimentId,
  workspace_id: workspaceId,
  provider_id: providerId,
  model_name: 'builtin',
  message_count: 2,
  status: 'pending',
  label_source: { kind: 'topics' },
  messages,
  topics_snapshot: null,
  confusion_matrix: null,
  classification_results: null,
  metrics: null,
  accuracy: null,
  macro_f1: null,
  avg_confidence: null,
  avg_execution_time_ms: null,
  error_message: null,
  requested_by: null,
  created_at: at,
  updated_at: at,
  started_at: null,
  completed_at: null,
};

describe('ClassificationExperimentsProjection (analysis_classification_experiments_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = () => ProjectionSpecification<ClassificationExperimentEvent>(new ClassificationExperimentsProjection(), () => db.pool, { streamId: `classification-experiment-${experimentId}`, workspaceId });

  it('records the request pending, then the snapshot when it starts', async () => {
    await spec().given([]).when([requested]).then([pending]);
    await spec().given([requested]).when([started]).then([{ ...pending, status: 'running', topics_snapshot: snapshot, started_at: at }]);
  });

  it('stores the results, the confusion matrix apart from the other metrics, and the headline numbers', async () => {
    const { confusionMatrix, ...rest } = metrics;
    await spec()
      .given([requested, started])
      .when([{ type: 'analysis.classification-experiment-completed', data: { experimentId, results, metrics, at: later } }])
      .then([
        {
          ...pending,
          status: 'completed',
          topics_snapshot: snapshot,
          started_at: at,
          completed_at: later,
          updated_at: later,
          classification_results: results,
          confusion_matrix: confusionMatrix,
          metrics: rest,
          accuracy: 0.5,
          macro_f1: metrics.macroF1,
          avg_confidence: 0.7,
          avg_execution_time_ms: 3,
        },
      ]);
  });

  it('keeps the error message of a failed experiment', async () => {
    await spec()
      .given([requested, started])
      .when([{ type: 'analysis.classification-experiment-failed', data: { experimentId, errorMessage: 'openai (m) answered 401', at: later } }])
      .then([{ ...pending, status: 'failed', topics_snapshot: snapshot, started_at: at, completed_at: later, updated_at: later, error_message: 'openai (m) answered 401' }]);
  });
});
