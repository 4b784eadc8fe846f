import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { AiAgentsError } from '@modules/analysis/domain/ai-agents.errors';
import { ClassificationExperimentEvent, classificationExperimentDecider, EXPERIMENT_ERROR_MAX } from './classification-experiment.decider';
import { experimentMetrics } from './experiment-metrics';

const spec = DeciderSpecification(classificationExperimentDecider);
const now = new Date('2026-12-03T10:00:00.000Z');
const at = now.toISOString();
const experimentId = '0193a000-0000-7000-8000-000000000001';

const requested: ClassificationExperimentEvent = {
  type: 'analysis.classification-experiment-requested',
  data: {
    experimentId,
    workspaceId: 'ws-1',
    providerId: 'p-1',
    modelName: 'builtin',
    labelSource: { kind: 'topics' },
    messages: [{ messageId: null, text: 'refund me', expectedLabel: 'Billing' }],
    requestedBy: 'u-1',
    at,
  },
};
const snapshot = [{ name: 'Billing', description: 'Invoices', topicId: 't-1' }, { name: 'Mobile', description: null, topicId: 't-2' }];
const started: ClassificationExperimentEvent = { type: 'analysis.classification-experiment-started', data: { experimentId, topicsSnapshot: snapshot, at } };
const results = [{ messageId: null, text: 'refund me', expectedLabel: 'Billing', predictedLabel: 'Billing', confidence: 0.8, executionTimeMs: 3, correct: true }];
const metrics = experimentMetrics(['Billing', 'Mobile'], [{ expected: 'Billing', predicted: 'Billing', confidence: 0.8, executionTimeMs: 3 }]);

describe('classification experiment decider', () => {
  it('is requested as pending with its provider, model, label source and messages', () => {
    const { data } = requested;
    spec.given([]).when({ kind: 'request', ...data, now }).then([requested]);
  });

  it('records nothing for a request of an experiment that exists (a retried create)', () => {
    spec.given([requested]).when({ kind: 'request', ...requested.data, now }).thenNothingHappened();
  });

  it('starts with the label set snapshotted; a second start keeps the first snapshot', () => {
    spec.given([requested]).when({ kind: 'start', topicsSnapshot: snapshot, now }).then([started]);
    spec.given([requested, started]).when({ kind: 'start', topicsSnapshot: [], now }).thenNothingHappened();
  });

  it('completes a running experiment with its results and metrics, once', () => {
    const completed: ClassificationExperimentEvent = { type: 'analysis.classification-experiment-completed', data: { experimentId, results, metrics, at } };
    spec.given([requested, started]).when({ kind: 'complete', results, metrics, now }).then([completed]);
    spec.given([requested, started, completed]).when({ kind: 'complete', results, metrics, now }).thenNothingHappened();
  });

  it('refuses to complete an experiment that never started or already failed', () => {
    spec.given([requested]).when({ kind: 'complete', results, metrics, now }).thenThrows(AiAgentsError, (e) => expect(e.code).toBe('ANALYSIS.INVALID_TRANSITION'));
    const failed: ClassificationExperimentEvent = { type: 'analysis.classification-experiment-failed', data: { experimentId, errorMessage: 'boom', at } };
    spec.given([requested, started, failed]).when({ kind: 'complete', results, metrics, now }).thenThrows(AiAgentsError);
  });

  it('fails a pending or running experiment with its error message (bounded), and never a finished one', () => {
    spec.given([requested, started]).when({ kind: 'fail', errorMessage: 'provider answered 500', now }).then([{ type: 'analysis.classification-experiment-failed', data: { experimentId, errorMessage: 'provider answered 500', at } }]);
    spec.given([requested]).when({ kind: 'fail', errorMessage: 'x'.repeat(EXPERIMENT_ERROR_MAX + 50), now }).then([{ type: 'analysis.classification-experiment-failed', data: { experimentId, errorMessage: 'x'.repeat(EXPERIMENT_ERROR_MAX), at } }]);
    const completed: ClassificationExperimentEvent = { type: 'analysis.classification-experiment-completed', data: { experimentId, results, metrics, at } };
    spec.given([requested, started, completed]).when({ kind: 'fail', errorMessage: 'late', now }).thenNothingHappened();
  });

  it('answers not found for a command on no experiment', () => {
    spec.given([]).when({ kind: 'start', topicsSnapshot: snapshot, now }).thenThrows(AiAgentsError, (e) => expect(e.code).toBe('ANALYSIS.EXPERIMENT_NOT_FOUND'));
  });
});
