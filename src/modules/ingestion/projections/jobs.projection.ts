import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ImportJobEvent } from '@modules/ingestion/domain/import-job/import-job.decider';

type D<T extends ImportJobEvent['type']> = Extract<ImportJobEvent, { type: T }>['data'];

export interface JobRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  source_id: string;
  kind: string;
  format: string;
  file_name: string | null;
  source_identifiers: Record<string, unknown>;
  status: string;
  messages_fetched: number;
  messages_stored: number;
  messages_skipped: number;
  /** Of the skipped, those already stored (an import skips nothing else; a sync also skips system messages). */
  messages_duplicate: number;
  errors_count: number;
  current_batch: number;
  total_batches: number | null;
  error_log: unknown[];
  time_window_start: string | null;
  time_window_end: string | null;
  started_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string | null;
}

/** The error log keeps the first rejected rows (their index and reasons); the counters stay exact. */
export const ERROR_LOG_LIMIT = 1000;

/** ingestion_jobs_view (seed 003 message_ingestion_jobs). */
export class JobsProjection extends RowProjection<JobRow> {
  readonly name = 'ingestion.jobs';
  readonly table = 'ingestion_jobs_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { jobId: string }).jobId;
  }

  readonly handlers: Record<string, RowHandler<JobRow>> = {
    'ingestion.job-started': (_r, e) => {
      const d = e.data as D<'ingestion.job-started'>;
      return {
        id: d.jobId,
        workspace_id: d.workspaceId,
        source_id: d.sourceId,
        kind: d.kind,
        format: d.format,
        file_name: d.fileName,
        source_identifiers: d.sourceIdentifiers,
        status: 'running',
        messages_fetched: 0,
        messages_stored: 0,
        messages_skipped: 0,
        messages_duplicate: 0,
        errors_count: 0,
        current_batch: 0,
        total_batches: null,
        error_log: [],
        time_window_start: null,
        time_window_end: null,
        started_at: d.at,
        completed_at: null,
        created_at: d.at,
        updated_at: d.at,
      };
    },
    'ingestion.job-batch-recorded': (r, e) => {
      const d = e.data as D<'ingestion.job-batch-recorded'>;
      if (!r) return null;
      const log = r.error_log.length < ERROR_LOG_LIMIT ? [...r.error_log, ...d.rejected].slice(0, ERROR_LOG_LIMIT) : r.error_log;
      return {
        ...r,
        messages_fetched: r.messages_fetched + d.fetched,
        messages_stored: r.messages_stored + d.stored,
        messages_skipped: r.messages_skipped + d.skipped,
        // Events from before `duplicates` was recorded: an import's skipped rows were its duplicates.
        messages_duplicate: r.messages_duplicate + (d.duplicates ?? (r.kind === 'import' ? d.skipped : 0)),
        errors_count: r.errors_count + d.errors,
        current_batch: d.batch,
        error_log: log,
        updated_at: d.at,
      };
    },
    'ingestion.job-completed': (r, e) => {
      const d = e.data as D<'ingestion.job-completed'>;
      return r ? { ...r, status: 'completed', total_batches: r.current_batch, completed_at: d.at, updated_at: d.at } : null;
    },
    'ingestion.job-failed': (r, e) => {
      const d = e.data as D<'ingestion.job-failed'>;
      return r ? { ...r, status: 'failed', completed_at: d.at, updated_at: d.at, error_log: [...r.error_log, { index: -1, ...(d.code ? { code: d.code } : {}), errors: [{ field: '', message: d.error }] }] } : null;
    },
  };
}
