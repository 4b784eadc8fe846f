import { storableText, storableValue } from '@libs/common/text/storable';
import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { FieldError } from '@modules/ingestion/domain/message/incoming-message';

/** An ingestion job (seed 003 message_ingestion_jobs): counters per batch, rejected rows with reasons. */
export interface RejectedRow {
  /** The row's position in the input (0-based: the n-th message of an mbox is index n-1). */
  index: number;
  /** The message's own id when it could be read (an email's Message-ID, a provider's id): what a user searches for. */
  externalId?: string | null;
  errors: FieldError[];
}

export type JobKind = 'import' | 'sync' | 'webhook';

export type ImportJobEvent =
  | {
      type: 'ingestion.job-started';
      data: { jobId: string; workspaceId: string; sourceId: string; kind: JobKind; format: string; fileName: string | null; sourceIdentifiers: Record<string, unknown>; at: string };
    }
  | {
      type: 'ingestion.job-batch-recorded';
      data: { jobId: string; batch: number; fetched: number; stored: number; skipped: number; duplicates?: number; errors: number; rejected: RejectedRow[]; at: string };
    }
  | { type: 'ingestion.job-completed'; data: { jobId: string; at: string } }
  /** `code`: a sync failure's stable code (pull-sync/sync-failure.ts), absent for imports and older events. */
  | { type: 'ingestion.job-failed'; data: { jobId: string; error: string; code?: string; at: string } };

export type ImportJobState = { status: 'none' } | { status: 'running' | 'completed' | 'failed'; jobId: string; batches: number };

export type ImportJobCommand =
  | { kind: 'start'; jobId: string; workspaceId: string; sourceId: string; jobKind: JobKind; format: string; fileName: string | null; sourceIdentifiers: Record<string, unknown>; now: Date }
  /** skipped: rows not stored on purpose, duplicates included; duplicates: those of them already stored. */
  | { kind: 'record-batch'; fetched: number; stored: number; skipped: number; duplicates: number; rejected: RejectedRow[]; now: Date }
  | { kind: 'complete'; now: Date }
  | { kind: 'fail'; error: string; code?: string; now: Date };

/** At most this many rejected rows travel in one batch event; the counters stay exact. */
export const REJECTED_PER_BATCH = 100;

export const importJobDecider: Decider<ImportJobCommand, ImportJobState, ImportJobEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'ingestion.job-started':
        return { status: 'running', jobId: e.data.jobId, batches: 0 };
      case 'ingestion.job-batch-recorded':
        return s.status === 'none' ? s : { ...s, batches: e.data.batch };
      case 'ingestion.job-completed':
        return s.status === 'none' ? s : { ...s, status: 'completed' };
      case 'ingestion.job-failed':
        return s.status === 'none' ? s : { ...s, status: 'failed' };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'start':
        if (s.status !== 'none') return [];
        return { type: 'ingestion.job-started', data: { jobId: c.jobId, workspaceId: c.workspaceId, sourceId: c.sourceId, kind: c.jobKind, format: c.format, fileName: c.fileName, sourceIdentifiers: c.sourceIdentifiers, at } };
      case 'record-batch':
        if (s.status !== 'running') throw new Error(`Job is ${s.status}: no more batches`);
        return {
          type: 'ingestion.job-batch-recorded',
          data: {
            jobId: s.jobId,
            batch: s.batches + 1,
            fetched: c.fetched,
            stored: c.stored,
            skipped: c.skipped,
            duplicates: c.duplicates,
            errors: c.rejected.length,
            // Reasons may quote the input: cleaned like the messages themselves, so a bad row cannot fail its job's event.
            rejected: storableValue(c.rejected.slice(0, REJECTED_PER_BATCH)),
            at,
          },
        };
      case 'complete':
        return s.status === 'running' ? { type: 'ingestion.job-completed', data: { jobId: s.jobId, at } } : [];
      case 'fail':
        return s.status === 'running' ? { type: 'ingestion.job-failed', data: { jobId: s.jobId, error: storableText(c.error.slice(0, 2000)), ...(c.code ? { code: c.code } : {}), at } } : [];
      default:
        return assertNever(c);
    }
  },
};
