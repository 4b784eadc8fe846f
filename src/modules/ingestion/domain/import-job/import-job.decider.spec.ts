import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { ImportJobEvent, importJobDecider, REJECTED_PER_BATCH, RejectedRow } from '@modules/ingestion/domain/import-job/import-job.decider';

const spec = DeciderSpecification(importJobDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const start = { kind: 'start', jobId: 'j1', workspaceId: 'w1', sourceId: 's1', jobKind: 'import', format: 'mbox', fileName: 'a.mbox', sourceIdentifiers: {}, now } as const;
const started: ImportJobEvent = {
  type: 'ingestion.job-started',
  data: { jobId: 'j1', workspaceId: 'w1', sourceId: 's1', kind: 'import', format: 'mbox', fileName: 'a.mbox', sourceIdentifiers: {}, at },
};
const batch = (n: number, rejected: RejectedRow[] = [], errors = rejected.length): ImportJobEvent => ({
  type: 'ingestion.job-batch-recorded',
  data: { jobId: 'j1', batch: n, fetched: 10, stored: 8, skipped: 1, duplicates: 1, errors, rejected, at },
});
const completed: ImportJobEvent = { type: 'ingestion.job-completed', data: { jobId: 'j1', at } };
const recordBatch = (rejected: RejectedRow[] = []) => ({ kind: 'record-batch', fetched: 10, stored: 8, skipped: 1, duplicates: 1, rejected, now }) as const;

describe('import job decider', () => {
  it('starts once: a repeated start is a redelivery and changes nothing', () => {
    spec.given([]).when(start).then([started]);
    spec.given([started]).when(start).thenNothingHappened();
  });

  it('numbers batches and counts every rejected row, keeping the first reasons only', () => {
    spec.given([started, batch(1)]).when(recordBatch()).then([batch(2)]);
    const rejected: RejectedRow[] = Array.from({ length: REJECTED_PER_BATCH + 5 }, (_, index) => ({ index, errors: [{ field: 'from', message: 'missing' }] }));
    spec
      .given([started])
      .when(recordBatch(rejected))
      .then([batch(1, rejected.slice(0, REJECTED_PER_BATCH), REJECTED_PER_BATCH + 5)]);
  });

  it('cleans what PostgreSQL cannot store out of reasons and failures', () => {
    spec
      .given([started])
      .when(recordBatch([{ index: 0, externalId: 'a\u0000b', errors: [{ field: 'subject', message: 'bad\u0000' }] }]))
      .then([batch(1, [{ index: 0, externalId: 'ab', errors: [{ field: 'subject', message: 'bad' }] }])]);
    spec.given([started]).when({ kind: 'fail', error: 'boom\u0000', now }).then([{ type: 'ingestion.job-failed', data: { jobId: 'j1', error: 'boom', at } }]);
  });

  it('refuses batches of a job that is not running', () => {
    spec.given([]).when(recordBatch()).thenThrows(Error);
    spec.given([started, completed]).when(recordBatch()).thenThrows(Error, (e) => expect(e.message).toMatch(/completed/));
  });

  it('completes or fails a running job only', () => {
    spec.given([started]).when({ kind: 'complete', now }).then([completed]);
    spec.given([started, completed]).when({ kind: 'complete', now }).thenNothingHappened();
    spec.given([started, completed]).when({ kind: 'fail', error: 'late', now }).thenNothingHappened();
    spec.given([]).when({ kind: 'complete', now }).thenNothingHappened();
  });
});
