import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ImportLimitCode, ImportLimitError } from '@modules/ingestion/application/import-messages/import-limits';
import type { ImportRow, ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { ImportInterruptedError, ReadContext } from '@modules/ingestion/application/import-files/read-context';
import { ParseFailure, ParseJob, WorkerMessage } from './protocol';

/** Chunks the worker may parse ahead of the writer: enough to keep it busy through a batch write, bounded in memory. */
const CHUNKS_AHEAD = 6;

/**
 * The rows of an import file parsed in a worker thread, so parsing (mailparser: the cost of mail)
 * runs beside the writing instead of between its batches. The same reader as in the main thread
 * (fileRows), the same rows, errors and progress; the worker stays at most CHUNKS_AHEAD chunks
 * ahead, so memory stays flat whatever the file. Stopping early (a limit, shutdown) ends the worker.
 */
export function rowsInWorker(job: ParseJob, signal?: AbortSignal): { rows: AsyncIterable<ImportRow | ParsedRow>; ctx: ReadContext } {
  const ctx: ReadContext = { progress: { unit: 'bytes', done: 0, total: 0 }, skipped: {}, signal, limits: job.limits };
  return { rows: read(job, ctx), ctx };
}

/**
 * Compiled, the worker is the .js beside this file. Run from TypeScript (the tests), it is the .ts
 * beside it, required through tsx's CommonJS hook (workers do not take the parent's loaders).
 */
function startWorker(job: ParseJob): Worker {
  const ext = extname(__filename);
  const file = join(__dirname, `import-parse.worker${ext}`);
  const options = { workerData: job, resourceLimits: WORKER_HEAP };
  if (ext !== '.ts') return new Worker(file, options);
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { ...options, eval: true });
}

/**
 * The parser's heap, bounded as a safety net: one message is at most IMPORT_EMAIL_MAX_MB of bytes
 * (held outside the heap) with its text cut to 200,000 characters and its HTML to
 * IMPORT_HTML_MAX_CHARS, so this is room for the biggest one many times over. Not tighter: a
 * tight old generation makes V8 collect far more often (measured: 3.5 s of GC in 21 s of parsing).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 1024 };

async function* read(job: ParseJob, ctx: ReadContext): AsyncGenerator<ImportRow | ParsedRow> {
  const worker = startWorker(job);
  const inbox: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  const deliver = (m: WorkerMessage) => {
    inbox.push(m);
    wake?.();
    wake = null;
  };
  let finished = false;
  worker.on('message', deliver);
  worker.on('error', (err) => deliver({ kind: 'failed', error: { message: `the file could not be parsed: ${err.message}` } }));
  worker.on('exit', (code) => {
    if (!finished) deliver({ kind: 'failed', error: { message: `the parser stopped unexpectedly (exit code ${code})` } });
  });
  const abort = () => {
    wake?.();
    wake = null;
  };
  ctx.signal?.addEventListener('abort', abort);
  worker.postMessage({ credit: CHUNKS_AHEAD });
  try {
    for (;;) {
      if (ctx.signal?.aborted) throw new ImportInterruptedError();
      const m = inbox.shift() ?? (await new Promise<void>((resolve) => (wake = resolve)), inbox.shift());
      if (!m) continue;
      if (m.kind === 'failed') throw rebuild(m.error);
      ctx.progress = m.progress;
      Object.assign(ctx.skipped, m.skipped); // the same object: callers hold on to it
      if (m.kind === 'done') {
        finished = true;
        return;
      }
      worker.postMessage({ credit: 1 });
      for (const row of m.rows) {
        if (ctx.signal?.aborted) throw new ImportInterruptedError();
        yield row;
      }
    }
  } finally {
    finished = true;
    ctx.signal?.removeEventListener('abort', abort);
    await worker.terminate();
  }
}

function rebuild(f: ParseFailure): Error {
  return f.limit ? new ImportLimitError(f.limit.code as ImportLimitCode, f.message, f.limit.setting, f.limit.max, f.limit.details) : new Error(f.message);
}
