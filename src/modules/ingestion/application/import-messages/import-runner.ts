import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { RejectedRow } from '@modules/ingestion/domain/import-job/import-job.decider';
import { FieldError, IncomingMessage, validateIncoming } from '@modules/ingestion/domain/message/incoming-message';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter, SourceRef, WriteOutcome } from '@modules/ingestion/infrastructure/message-writer';
import { ImportLimitError } from './import-limits';

/** One row of an import: a candidate message (to validate), or a row that could not even be parsed. */
export type ImportRow = { index: number; item: unknown } | { index: number; parseError: FieldError[] };

/** A row already turned into a message by a format parser (export files); a bad one keeps its own id when it could be read. */
export type ParsedRow = { index: number; message: IncomingMessage } | { index: number; parseError: FieldError[]; externalId?: string | null };

export interface ImportSummary {
  jobId: string;
  accepted: number;
  duplicates: number;
  rejected: RejectedRow[];
  rejectedCount: number;
}

export interface ImportProgress {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * Rows per batch: each batch is one statement of new streams, one read-model upsert, one key
 * lookup for its authors' subjects and one job event, so fewer, larger batches cost less per
 * message (1000 against 500: ~25% more messages/s in the ingestion bench).
 */
export const IMPORT_BATCH = 1000;
/**
 * ...and at most this much text per batch (content, title, HTML, headers), so long messages
 * (transcripts, emails) keep memory flat too: each batch is copied a few times on its way out
 * (payload JSON, the statement's parameters, the read model's), WRITES_IN_FLIGHT at once.
 */
export const IMPORT_BATCH_CHARS = 1_500_000;
/**
 * Batches written at once: the next batch's messages are prepared (sealed, serialised) while the
 * database stores the last one, so neither waits for the other.
 */
export const WRITES_IN_FLIGHT = 2;
const NOTHING_WRITTEN: WriteOutcome = { stored: [], duplicates: [], rejected: [] };
/** The answer lists the first rejected rows; the job's error log and counters have the rest. */
export const REJECTED_IN_ANSWER = 1000;

/**
 * Runs an import as an ingestion job: rows stream in, are validated, written in batches (one
 * statement of new message streams per batch, deduplicated by id) and counted per batch on the
 * job. Memory stays flat whatever the input size: one batch at a time.
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly aggregates: IngestionAggregates,
    private readonly writer: MessageWriter,
  ) {}

  async run(
    source: SourceRef,
    rows: AsyncIterable<ImportRow | ParsedRow> | Iterable<ImportRow | ParsedRow>,
    job: { format: string; fileName?: string | null; jobId?: string; kind?: 'import' | 'sync' },
    meta: CommandMetadata,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportSummary> {
    const jobId = job.jobId ?? uuidv7();
    const m = { ...meta, workspaceId: source.workspaceId };
    await this.aggregates.job.handle(jobId, {
      kind: 'start', jobId, workspaceId: source.workspaceId, sourceId: source.id, jobKind: job.kind ?? 'import', format: job.format, fileName: job.fileName ?? null, sourceIdentifiers: { sourceKind: source.kind }, now: meta.now,
    }, m);
    const summary: ImportSummary = { jobId, accepted: 0, duplicates: 0, rejected: [], rejectedCount: 0 };
    let batch: { index: number; message: IncomingMessage }[] = [];
    let rejectedInBatch: RejectedRow[] = [];
    let rowsInBatch = 0;
    let charsInBatch = 0;
    let rows_ = 0;
    const reject = (rejected: RejectedRow, into: RejectedRow[] = rejectedInBatch) => {
      into.push(rejected);
      summary.rejectedCount++;
      if (summary.rejected.length < REJECTED_IN_ANSWER) summary.rejected.push(rejected);
    };
    const howFar = () => `Stopped after ${rows_} rows (${summary.accepted} stored, ${summary.duplicates} duplicates, ${summary.rejectedCount} rejected): what was stored stays`;
    // Batches are written while the next ones are read: up to WRITES_IN_FLIGHT at once, each on
    // its own connection (one, queued, on the embedded database); the job records them in order.
    const inFlight: Promise<void>[] = [];
    let recorded: Promise<void> = Promise.resolve();
    let writeFailed = false; // an error of the database's: the batch is not tried again
    const record = async (b: { rows: number; items: typeof batch; rejected: RejectedRow[] }, out: WriteOutcome) => {
      summary.accepted += out.stored.length;
      summary.duplicates += out.duplicates.length;
      // What the database refused is rejected alone, with the row's position and its own id.
      for (const r of out.rejected) reject({ index: b.items[r.index].index, externalId: b.items[r.index].message.externalId, errors: [{ field: '', message: r.reason }] }, b.rejected);
      b.rejected.sort((x, y) => x.index - y.index);
      await this.aggregates.job.handle(jobId, { kind: 'record-batch', fetched: b.rows, stored: out.stored.length, skipped: out.duplicates.length, duplicates: out.duplicates.length, rejected: b.rejected, now: new Date() }, m);
      onProgress?.({ rows: rows_, accepted: summary.accepted, duplicates: summary.duplicates, rejected: summary.rejectedCount });
    };
    const flush = async () => {
      if (rowsInBatch === 0) return;
      const b = { rows: rowsInBatch, items: batch, rejected: rejectedInBatch };
      batch = [];
      rejectedInBatch = [];
      rowsInBatch = 0;
      charsInBatch = 0;
      const write = b.items.length ? this.writer.ingest(source, b.items.map((x) => x.message), { importJobId: jobId, actorId: meta.actorId, correlationId: meta.correlationId }) : Promise.resolve(NOTHING_WRITTEN);
      write.catch(() => (writeFailed = true)); // awaited in order below; noted at once
      const done = recorded.then(() => write).then((out) => record(b, out));
      recorded = done.catch(() => undefined); // a later batch that was stored is still recorded
      inFlight.push(done);
      if (inFlight.length >= WRITES_IN_FLIGHT) await inFlight.shift();
    };
    const drain = async () => {
      while (inFlight.length) await inFlight.shift();
    };
    /** After a failure: every batch already sent is settled (and recorded when it was stored) before the job says how far it got. */
    const settle = async () => {
      await Promise.allSettled(inFlight.splice(0));
    };
    try {
      for await (const row of rows as AsyncIterable<ImportRow | ParsedRow>) {
        rows_++;
        rowsInBatch++;
        const result = 'parseError' in row ? { ok: false as const, errors: row.parseError } : 'message' in row ? { ok: true as const, value: row.message } : validateIncoming(row.item);
        if (result.ok) {
          batch.push({ index: row.index, message: result.value });
          charsInBatch += sizeOf(result.value);
        } else {
          const externalId = externalIdOf(row);
          reject({ index: row.index, ...(externalId ? { externalId } : {}), errors: result.errors });
        }
        if (rowsInBatch >= IMPORT_BATCH || charsInBatch >= IMPORT_BATCH_CHARS) await flush();
      }
      await flush();
      await drain();
      await this.aggregates.job.handle(jobId, { kind: 'complete', now: new Date() }, m);
      return summary;
    } catch (err) {
      if (err instanceof ImportLimitError) {
        // A limit stops the import, not what came before it: the rows read so far are stored, the
        // job fails saying which limit and how far it got, and the answer (413) says the same.
        try {
          await settle();
          if (writeFailed) throw new Error('a batch before the limit could not be stored');
          await flush();
          await drain();
        } catch (flushErr) {
          await this.aggregates.job.handle(jobId, { kind: 'fail', error: flushErr instanceof Error ? flushErr.message : String(flushErr), now: new Date() }, m).catch(() => undefined);
          throw flushErr;
        }
        const progress = { jobId, rows: rows_, accepted: summary.accepted, duplicates: summary.duplicates, rejectedCount: summary.rejectedCount };
        Object.assign(err.details, progress);
        const error = `${err.code}: ${err.message}. ${howFar()}`;
        await this.aggregates.job.handle(jobId, { kind: 'fail', error, now: new Date() }, m).catch(() => undefined);
        throw err;
      }
      // The input itself could not be read on (a broken archive, a dropped upload, a shutdown):
      // what was read before is stored; the job says how far it got, so a re-run knows where it stands.
      const reason = err instanceof Error ? err.message : String(err);
      await settle();
      if (!writeFailed) await flush().then(drain).catch(settle);
      const error = `${reason}. ${howFar()}, and importing the same file again stores only what is missing`;
      await this.aggregates.job.handle(jobId, { kind: 'fail', error, now: new Date() }, m).catch(() => undefined);
      throw err;
    }
  }
}

/** Roughly how much text a message carries (headers of an email included: they are kept as `raw`). */
export function sizeOf(m: IncomingMessage): number {
  const headers = (m.raw as { headers?: unknown } | null)?.headers;
  const headerChars = Array.isArray(headers) ? headers.reduce((n: number, h) => n + (typeof h === 'string' ? h.length : 0), 0) : 0;
  return m.content.length + (m.title?.length ?? 0) + (m.email?.bodyHtml?.length ?? 0) + headerChars;
}

/** The id a rejected row had in its input, when it had a readable one. */
function externalIdOf(row: ImportRow | ParsedRow): string | null {
  if ('externalId' in row && typeof row.externalId === 'string' && row.externalId) return row.externalId;
  if ('item' in row && typeof row.item === 'object' && row.item !== null) {
    const id = (row.item as { externalId?: unknown }).externalId;
    if ((typeof id === 'string' && id.trim()) || typeof id === 'number') return String(id).slice(0, 500);
  }
  return null;
}
