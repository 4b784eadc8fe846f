import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ClassificationExperimentEvent } from '@modules/analysis/domain/classification-experiment/classification-experiment.decider';

type D<T extends ClassificationExperimentEvent['type']> = Extract<ClassificationExperimentEvent, { type: T }>['data'];

export interface ClassificationExperimentRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  provider_id: string;
  model_name: string;
  message_count: number;
  status: string;
  label_source: unknown;
  messages: unknown;
  topics_snapshot: unknown;
  confusion_matrix: unknown;
  classification_results: unknown;
  metrics: unknown;
  accuracy: number | null;
  macro_f1: number | null;
  avg_confidence: number | null;
  avg_execution_time_ms: number | null;
  error_message: string | null;
  requested_by: string | null;
  created_at: string | Date;
  updated_at: string | Date;
  started_at: string | Date | null;
  completed_at: string | Date | null;
}

/** analysis_classification_experiments_view (seed 003 classification_experiments). Inline: the API reads its own writes. */
export class ClassificationExperimentsProjection extends RowProjection<ClassificationExperimentRow> {
  readonly name = 'analysis.classification-experiments';
  readonly table = 'analysis_classification_experiments_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { experimentId: string }).experimentId;
  }

  readonly handlers: Record<string, RowHandler<ClassificationExperimentRow>> = {
    'analysis.classification-experiment-requested': (r, e) => {
      if (r) return r;
      const d = e.data as D<'analysis.classification-experiment-requested'>;
      return {
        id: d.experimentId,
        workspace_id: d.workspaceId,
        provider_id: d.providerId,
        model_name: d.modelName,
        message_count: d.messages.length,
        status: 'pending',
        label_source: d.labelSource,
        messages: d.messages,
        topics_snapshot: null,
        confusion_matrix: null,
        classification_results: null,
        metrics: null,
        accuracy: null,
        macro_f1: null,
        avg_confidence: null,
        avg_execution_time_ms: null,
        error_message: null,
        requested_by: d.requestedBy,
        created_at: d.at,
        updated_at: d.at,
        started_at: null,
        completed_at: null,
      };
    },
    'analysis.classification-experiment-started': (r, e) => {
      const d = e.data as D<'analysis.classification-experiment-started'>;
      return r && { ...r, status: 'running', topics_snapshot: d.topicsSnapshot, started_at: d.at, updated_at: d.at };
    },
    'analysis.classification-experiment-completed': (r, e) => {
      const d = e.data as D<'analysis.classification-experiment-completed'>;
      if (!r) return null;
      const { confusionMatrix, ...metrics } = d.metrics;
      return {
        ...r,
        status: 'completed',
        confusion_matrix: confusionMatrix,
        classification_results: d.results,
        metrics,
        accuracy: d.metrics.accuracy,
        macro_f1: d.metrics.macroF1,
        avg_confidence: d.metrics.avgConfidence,
        avg_execution_time_ms: d.metrics.avgExecutionTimeMs,
        completed_at: d.at,
        updated_at: d.at,
      };
    },
    'analysis.classification-experiment-failed': (r, e) => {
      const d = e.data as D<'analysis.classification-experiment-failed'>;
      return r && { ...r, status: 'failed', error_message: d.errorMessage, completed_at: d.at, updated_at: d.at };
    },
  };
}
