import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { ImportJobEvent } from '@modules/ingestion/domain/import-job/import-job.decider';
import { ERROR_LOG_LIMIT, JobsProjection } from '@modules/ingestion/projections/jobs.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const jobId = '0193a000-0000-7000-8000-000000000b01';
const sourceId = '0193a000-0000-7000-8000-000000000a01';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-27T10:05:00.000Z';
const started = (kind: 'import' | 'sync' = 'import'): ImportJobEvent => ({
  type: 'ingestion.job-started',
  data: { jobId, workspaceId, sourceId, kind, format: 'mbox', fileName: 'a.mbox', sourceIdentifiers: {}, at },
});
const rejectedRow = (index: number) => ({ index, errors: [{ field: 'from', message: 'missing' }] });
const batch = (n: number, counts: { fetched: number; stored: number; skipped: number; duplicates?: number }, rejected = [rejectedRow(0)]): ImportJobEvent => ({
  type: 'ingestion.job-batch-recorded',
  data: { jobId, batch: n, ...counts, errors: rejected.length, rejected, at: later },
});
const columns = [
  'id',
  'kind',
  'status',
  'messages_fetched',
  'messages_stored',
  'messages_skipped',
  'messages_duplicate',
  'errors_count',
  'current_batch',
  'total_batches',
  'jsonb_array_length(error_log) AS error_log_length',
  'started_at',
  'completed_at',
  'updated_at',
];
const job = {
  id: jobId,
  kind: 'import',
  status: 'running',
  messages_fetched: 0,
  messages_stored: 0,
  messages_skipped: 0,
  messages_duplicate: 0,
  errors_count: 0,
  current_batch: 0,
  total_batches: null,
  error_log_length: 0,
  started_at: at,
  completed_at: null,
  updated_at: at,
};

describe('JobsProjection (ingestion_jobs_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<ImportJobEvent>(new JobsProjection(), () => db.pool, { columns });

  it('starts a running job with zero counters', async () => {
    await spec.given([]).when([started()]).then([job]);
  });

  it('adds up the batches and keeps their rejected rows', async () => {
    await spec
      .given([started()])
      .when([batch(1, { fetched: 10, stored: 7, skipped: 2, duplicates: 2 }), batch(2, { fetched: 5, stored: 5, skipped: 0, duplicates: 0 })])
      .then([{ ...job, messages_fetched: 15, messages_stored: 12, messages_skipped: 2, messages_duplicate: 2, errors_count: 2, current_batch: 2, error_log_length: 2, updated_at: later }]);
  });

  it("an old batch without duplicates counts an import's skipped rows as duplicates, a sync's as none", async () => {
    await spec
      .given([started('import')])
      .when([batch(1, { fetched: 10, stored: 7, skipped: 3 }, [])])
      .then([{ ...job, messages_fetched: 10, messages_stored: 7, messages_skipped: 3, messages_duplicate: 3, current_batch: 1, updated_at: later }]);
    await spec
      .given([started('sync')])
      .when([batch(1, { fetched: 10, stored: 7, skipped: 3 }, [])])
      .then([{ ...job, kind: 'sync', messages_fetched: 10, messages_stored: 7, messages_skipped: 3, current_batch: 1, updated_at: later }]);
  });

  it('keeps the first rejected rows only; the counters stay exact', async () => {
    const many = Array.from({ length: ERROR_LOG_LIMIT - 1 }, (_, i) => rejectedRow(i));
    await spec
      .given([started(), batch(1, { fetched: 999, stored: 0, skipped: 0, duplicates: 0 }, many)])
      .when([batch(2, { fetched: 3, stored: 0, skipped: 0, duplicates: 0 }, [rejectedRow(0), rejectedRow(1), rejectedRow(2)])])
      .then([{ ...job, messages_fetched: 1002, errors_count: ERROR_LOG_LIMIT + 2, current_batch: 2, error_log_length: ERROR_LOG_LIMIT, updated_at: later }]);
  });

  it('completes with the number of batches, or fails with the error logged', async () => {
    await spec
      .given([started(), batch(1, { fetched: 1, stored: 1, skipped: 0, duplicates: 0 }, [])])
      .when([{ type: 'ingestion.job-completed', data: { jobId, at: later } }])
      .then([{ ...job, status: 'completed', messages_fetched: 1, messages_stored: 1, current_batch: 1, total_batches: 1, completed_at: later, updated_at: later }]);
    await spec
      .given([started()])
      .when([{ type: 'ingestion.job-failed', data: { jobId, error: 'bad archive', at: later } }])
      .then([{ ...job, status: 'failed', error_log_length: 1, completed_at: later, updated_at: later }]);
  });

  it('a redelivered batch is added again: the projection relies on exactly-once delivery (inline, in the append transaction)', async () => {
    const first = batch(1, { fetched: 10, stored: 10, skipped: 0, duplicates: 0 }, []);
    await spec
      .given([started(), first])
      .when([first])
      .then([{ ...job, messages_fetched: 20, messages_stored: 20, current_batch: 1, updated_at: later }]);
  });
});
