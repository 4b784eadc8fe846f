import type { ImportFileFormat } from '@modules/ingestion/application/import-files/import-file-formats';
import type { ImportLimits } from '@modules/ingestion/application/import-messages/import-limits';
import type { ParsedRow, ImportRow } from '@modules/ingestion/application/import-messages/import-runner';
import type { ReadContext } from '@modules/ingestion/application/import-files/read-context';

/** What the parsing worker is started with. */
export interface ParseJob {
  path: string;
  format: ImportFileFormat;
  limits: ImportLimits;
  csvMapping?: Record<string, string>;
}

/** The reader's state travels with each chunk: progress for the bar, rows left out on purpose. */
export interface ReaderState {
  progress: ReadContext['progress'];
  skipped: Record<string, number>;
}

/** An error of the reader, rebuilt in the parent with the class the runner tells apart (limits answer 413). */
export interface ParseFailure {
  message: string;
  limit?: { code: string; setting: string; max: number; details: Record<string, unknown> };
}

export type WorkerMessage =
  | ({ kind: 'rows'; rows: (ParsedRow | ImportRow)[] } & ReaderState)
  | ({ kind: 'done' } & ReaderState)
  | { kind: 'failed'; error: ParseFailure };

/** Parent -> worker: room for this many more chunks. */
export interface Credit {
  credit: number;
}
