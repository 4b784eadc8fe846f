import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AnalysisRunEvent } from '@modules/analysis/domain/analysis-run/analysis-run.events';

export interface AnalysisRunRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  status: string;
  time_window_start: string;
  time_window_end: string;
  source_ids: string[];
  channels: string[];
  agent_assignment_id: string;
  project_config_id: string | null;
  config_snapshot: Record<string, unknown>;
  trigger_type: string;
  triggered_by_user_id: string | null;
  total_messages_in_window: number;
  messages_after_prefilter: number;
  prefiltered_out: Record<string, number>;
  batches_created: number;
  error: unknown;
  accuracy_metrics: unknown;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  reviewed_at: string | null;
  closed_at: string | null;
  failed_at: string | null;
  cancelled_at: string | null;
  version: number;
}

type D<T extends AnalysisRunEvent['type']> = Extract<AnalysisRunEvent, { type: T }>['data'];
const on = <T extends AnalysisRunEvent['type']>(f: (row: AnalysisRunRow, d: D<T>, e: RecordedEvent) => Partial<AnalysisRunRow>): RowHandler<AnalysisRunRow> => (row, e) =>
  row ? { ...row, ...f(row, e.data as D<T>, e), version: e.streamVersion } : null;

/** analysis_runs_view: a run's lifecycle and window counters (batch and proposal counters are counted when read). */
export class AnalysisRunsProjection extends RowProjection<AnalysisRunRow> {
  readonly name = 'analysis.runs';
  readonly table = 'analysis_runs_view';
  override readonly mode = 'inline';

  override keyOf(e: RecordedEvent): string | null {
    return (e.data as { runId?: string }).runId ?? null;
  }

  readonly handlers: Record<string, RowHandler<AnalysisRunRow>> = {
    'analysis.run-requested': (_row, e) => {
      const d = e.data as D<'analysis.run-requested'>;
      return {
        id: d.runId,
        workspace_id: d.workspaceId,
        status: 'pending',
        time_window_start: d.window.start,
        time_window_end: d.window.end,
        source_ids: d.window.sourceIds,
        channels: d.window.channels,
        agent_assignment_id: d.agentAssignmentId,
        project_config_id: d.projectConfigId,
        config_snapshot: d.configSnapshot,
        trigger_type: d.triggerType,
        triggered_by_user_id: d.triggeredBy,
        total_messages_in_window: 0,
        messages_after_prefilter: 0,
        prefiltered_out: {},
        batches_created: 0,
        error: null,
        accuracy_metrics: null,
        created_at: d.at,
        started_at: null,
        completed_at: null,
        reviewed_at: null,
        closed_at: null,
        failed_at: null,
        cancelled_at: null,
        version: e.streamVersion,
      };
    },
    'analysis.run-started': on<'analysis.run-started'>((_r, d) => ({
      status: 'running',
      started_at: d.at,
      total_messages_in_window: d.totalMessagesInWindow,
      messages_after_prefilter: d.messagesAfterPrefilter,
      prefiltered_out: d.prefilteredOut,
      batches_created: d.batchesTotal,
    })),
    'analysis.run-completed': on<'analysis.run-completed'>((_r, d) => ({ status: 'completed', completed_at: d.at })),
    'analysis.run-failed': on<'analysis.run-failed'>((_r, d) => ({ status: 'failed', failed_at: d.at, error: d.error })),
    'analysis.run-cancelled': on<'analysis.run-cancelled'>((_r, d) => ({ status: 'cancelled', cancelled_at: d.at })),
    'analysis.run-reviewed': on<'analysis.run-reviewed'>((_r, d) => ({ status: 'reviewed', reviewed_at: d.at, accuracy_metrics: d.accuracy })),
    'analysis.run-closed': on<'analysis.run-closed'>((_r, d) => ({ status: 'closed', closed_at: d.at })),
  };
}
