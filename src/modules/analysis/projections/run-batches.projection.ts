import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { RunBatchEvent, runBatchStreamKey } from '@modules/analysis/domain/analysis-run/run-batch.events';

export interface RunBatchRow extends Record<string, unknown> {
  id: string;
  run_id: string;
  workspace_id: string;
  batch_index: number;
  message_ids: string[];
  estimated_tokens: number;
  status: string;
  tasks_found: number;
  dropped: number;
  calls: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  error: unknown;
  finished_at: string | null;
}

type D<T extends RunBatchEvent['type']> = Extract<RunBatchEvent, { type: T }>['data'];

/** analysis_run_batches_view: each batch's messages (the runs a message was included in), result, tokens and cost. */
export class RunBatchesProjection extends RowProjection<RunBatchRow> {
  readonly name = 'analysis.run-batches';
  readonly table = 'analysis_run_batches_view';
  override readonly mode = 'inline';

  override keyOf(e: RecordedEvent): string | null {
    const d = e.data as { runId?: string; batchIndex?: number };
    return d.runId && typeof d.batchIndex === 'number' ? runBatchStreamKey(d.runId, d.batchIndex) : null;
  }

  readonly handlers: Record<string, RowHandler<RunBatchRow>> = {
    'analysis.run-batch-planned': (_row, e) => {
      const d = e.data as D<'analysis.run-batch-planned'>;
      return {
        id: runBatchStreamKey(d.runId, d.batchIndex),
        run_id: d.runId,
        workspace_id: e.workspaceId!,
        batch_index: d.batchIndex,
        message_ids: d.messageIds,
        estimated_tokens: d.estimatedTokens,
        status: 'planned',
        tasks_found: 0,
        dropped: 0,
        calls: 0,
        tokens_in: 0,
        tokens_out: 0,
        cost_usd: 0,
        error: null,
        finished_at: null,
      };
    },
    'analysis.run-batch-completed': (row, e) => {
      const d = e.data as D<'analysis.run-batch-completed'>;
      return row && { ...row, status: 'completed', tasks_found: d.tasks.length, dropped: d.dropped, calls: d.usage.calls, tokens_in: d.usage.tokensIn, tokens_out: d.usage.tokensOut, cost_usd: d.usage.costUsd, finished_at: d.at };
    },
    'analysis.run-batch-failed': (row, e) => {
      const d = e.data as D<'analysis.run-batch-failed'>;
      return row && { ...row, status: 'failed', error: d.error, calls: d.usage.calls, tokens_in: d.usage.tokensIn, tokens_out: d.usage.tokensOut, cost_usd: d.usage.costUsd, finished_at: d.at };
    },
  };
}
