import { parentPort, workerData } from 'node:worker_threads';
import { ImportLimitError } from '@modules/ingestion/application/import-messages/import-limits';
import { ImportRow, ParsedRow, sizeOf } from '@modules/ingestion/application/import-messages/import-runner';
import { fileRows } from '@modules/ingestion/application/import-files/import-file-formats';
import { Credit, ParseFailure, ParseJob, WorkerMessage } from './protocol';

/**
 * The worker side of parseInWorker: reads the file with the same reader the main thread would
 * use and posts its rows in chunks, never more chunks ahead than the parent has room for.
 */

/** Rows per chunk, and text per chunk: big messages (HTML mail) make smaller chunks. */
const CHUNK_ROWS = 64;
const CHUNK_CHARS = 500_000;

const port = parentPort!;
const job = workerData as ParseJob;
let credit = 0;
let wake: (() => void) | null = null;
port.on('message', (m: Credit) => {
  credit += m.credit;
  wake?.();
  wake = null;
});
const room = () => (credit > 0 ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve)));

/** A rejected row is small; a message counts as the runner counts it for its batches. */
const charsOf = (row: ImportRow | ParsedRow): number => ('message' in row ? sizeOf(row.message) : 100);

function failure(err: unknown): ParseFailure {
  if (err instanceof ImportLimitError) {
    const { limit: _setting, max: _max, ...details } = err.details as Record<string, unknown>;
    return { message: err.message, limit: { code: err.code, setting: err.setting, max: err.limit, details } };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

async function main(): Promise<void> {
  const { rows, ctx } = await fileRows(job.path, job.format, { limits: job.limits, csvMapping: job.csvMapping });
  const state = () => ({ progress: { ...ctx.progress }, skipped: { ...ctx.skipped } });
  let chunk: (ImportRow | ParsedRow)[] = [];
  let chars = 0;
  const post = async () => {
    await room();
    credit--;
    port.postMessage({ kind: 'rows', rows: chunk, ...state() } as WorkerMessage);
    chunk = [];
    chars = 0;
  };
  for await (const row of rows) {
    chunk.push(row);
    chars += charsOf(row);
    if (chunk.length >= CHUNK_ROWS || chars >= CHUNK_CHARS) await post();
  }
  if (chunk.length) await post();
  port.postMessage({ kind: 'done', ...state() } as WorkerMessage);
}

main().catch((err: unknown) => port.postMessage({ kind: 'failed', error: failure(err) } as WorkerMessage));
