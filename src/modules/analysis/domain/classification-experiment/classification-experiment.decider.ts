import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';
import { ExperimentMetrics } from './experiment-metrics';

/**
 * A classification experiment (seed 003 classification_experiments): a provider/model run over
 * labelled messages against a label set (the workspace's topics, or labels given with it).
 * pending -> running -> completed | failed (with error_message). The label set is snapshotted
 * when the experiment starts (`topics_snapshot`): later changes to topics do not change what an
 * experiment measured.
 */
export type ExperimentLabelSource = { kind: 'topics' } | { kind: 'labels'; labels: ExperimentLabel[] };

export interface ExperimentLabel {
  name: string;
  description: string | null;
  /** The topic the label is, when the set is the workspace's topics. */
  topicId?: string;
}

export interface ExperimentMessage {
  /** A message of the workspace (its text read when the experiment starts), or null for a text given inline. */
  messageId: string | null;
  text: string | null;
  expectedLabel: string;
}

export interface ClassificationResult {
  messageId: string | null;
  /** The text classified (at most EXPERIMENT_TEXT_EXCERPT characters kept). */
  text: string;
  expectedLabel: string;
  predictedLabel: string;
  confidence: number;
  executionTimeMs: number;
  correct: boolean;
}

export const EXPERIMENT_TEXT_EXCERPT = 500;

export type ExperimentStatus = 'pending' | 'running' | 'completed' | 'failed';

export type ClassificationExperimentEvent =
  | {
      type: 'analysis.classification-experiment-requested';
      data: {
        experimentId: string;
        workspaceId: string;
        providerId: string;
        modelName: string;
        labelSource: ExperimentLabelSource;
        messages: ExperimentMessage[];
        requestedBy: string | null;
        at: string;
      };
    }
  | { type: 'analysis.classification-experiment-started'; data: { experimentId: string; topicsSnapshot: ExperimentLabel[]; at: string } }
  | {
      type: 'analysis.classification-experiment-completed';
      data: { experimentId: string; results: ClassificationResult[]; metrics: ExperimentMetrics; at: string };
    }
  | { type: 'analysis.classification-experiment-failed'; data: { experimentId: string; errorMessage: string; at: string } };

export type ClassificationExperimentState = { status: 'none' } | { status: ExperimentStatus; experimentId: string; workspaceId: string };

export type ClassificationExperimentCommand =
  | {
      kind: 'request';
      experimentId: string;
      workspaceId: string;
      providerId: string;
      modelName: string;
      labelSource: ExperimentLabelSource;
      messages: ExperimentMessage[];
      requestedBy: string | null;
      now: Date;
    }
  | { kind: 'start'; topicsSnapshot: ExperimentLabel[]; now: Date }
  | { kind: 'complete'; results: ClassificationResult[]; metrics: ExperimentMetrics; now: Date }
  | { kind: 'fail'; errorMessage: string; now: Date };

/** error_message is kept short: a provider's answer can be long. */
export const EXPERIMENT_ERROR_MAX = 2000;

function existing(s: ClassificationExperimentState) {
  if (s.status === 'none') throw new AiAgentsError(Code.ExperimentNotFound, 'No such experiment');
  return s;
}

export const classificationExperimentDecider: Decider<ClassificationExperimentCommand, ClassificationExperimentState, ClassificationExperimentEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'analysis.classification-experiment-requested':
        return { status: 'pending', experimentId: e.data.experimentId, workspaceId: e.data.workspaceId };
      case 'analysis.classification-experiment-started':
        return s.status === 'none' ? s : { ...s, status: 'running' };
      case 'analysis.classification-experiment-completed':
        return s.status === 'none' ? s : { ...s, status: 'completed' };
      case 'analysis.classification-experiment-failed':
        return s.status === 'none' ? s : { ...s, status: 'failed' };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'request': {
        // A retry under the same Idempotency-Key names the same experiment: nothing more to record.
        if (s.status !== 'none') return [];
        const { kind: _kind, now: _now, ...data } = c;
        return { type: 'analysis.classification-experiment-requested', data: { ...data, at } };
      }
      case 'start': {
        const x = existing(s);
        // A runner retried after a crash finds it running: it goes on with the first snapshot.
        if (x.status !== 'pending') return [];
        return { type: 'analysis.classification-experiment-started', data: { experimentId: x.experimentId, topicsSnapshot: c.topicsSnapshot, at } };
      }
      case 'complete': {
        const x = existing(s);
        if (x.status === 'completed') return [];
        if (x.status !== 'running') throw new AiAgentsError(Code.InvalidTransition, `A ${x.status} experiment cannot complete`, { status: x.status });
        return { type: 'analysis.classification-experiment-completed', data: { experimentId: x.experimentId, results: c.results, metrics: c.metrics, at } };
      }
      case 'fail': {
        const x = existing(s);
        if (x.status === 'failed' || x.status === 'completed') return [];
        return { type: 'analysis.classification-experiment-failed', data: { experimentId: x.experimentId, errorMessage: c.errorMessage.slice(0, EXPERIMENT_ERROR_MAX), at } };
      }
      default:
        return assertNever(c);
    }
  },
};
