/**
 * Importing an export file into a workspace as an ingestion job, for callers outside ingestion
 * (the CLI's `import <file>`). `FileImporter` is also the DI token, bound to ingestion's FileImports.
 */
import type { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import type { SourceKind } from './ingestion.integration-events';

/** docs/api.md's file formats for POST /imports (and the CLI's --format). */
export const IMPORT_FILE_FORMATS = ['slack-export', 'telegram-export', 'mbox', 'eml', 'email-zip', 'csv', 'ndjson', 'json'] as const;
export type ImportFileFormat = (typeof IMPORT_FILE_FORMATS)[number];

export interface FileImportRequest {
  workspaceId: string;
  /** Where the file is on disk (multer's temp file, or the CLI's argument). */
  path?: string | null;
  /** The name the file had for its owner: names the default source and infers the format. */
  fileName?: string | null;
  format?: string | null;
  sourceId?: string | null;
  sourceName?: string | null;
  /** CSV header mapping (field -> header), as for POST /messages/import. */
  csvMapping?: Record<string, string>;
}

/** A checked request with its source resolved and its job started (visible at GET /jobs/:jobId). */
export interface PreparedFileImport {
  jobId: string;
  workspaceId: string;
  path: string;
  fileName: string;
  format: ImportFileFormat;
  source: { id: string; kind: SourceKind; name: string };
  csvMapping?: Record<string, string>;
}

/** How far the reading of the file got (for a progress bar). */
export interface FileReadProgress {
  unit: 'bytes' | 'files' | 'messages';
  done: number;
  total: number;
}

/** The rows written so far. */
export interface FileImportProgress {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** A row the import refused, and why. */
export interface RejectedImportRow {
  /** The row's position in the input (0-based). */
  index: number;
  /** The message's own id when it could be read. */
  externalId?: string | null;
  errors: { field: string; message: string }[];
}

export interface FileImportResult {
  jobId: string;
  status: 'completed' | 'failed';
  format: ImportFileFormat;
  fileName: string;
  source: { id: string; kind: SourceKind; name: string };
  rows: number;
  accepted: number;
  duplicates: number;
  rejectedCount: number;
  /** Rows left out on purpose (system/service messages), by reason: not errors. */
  skipped: Record<string, number>;
  /** The first rejected rows (the job has up to 1,000, the counters are exact). */
  rejected: RejectedImportRow[];
  error: string | null;
  durationMs: number;
}

export interface FileImportRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: FileImportProgress, read: FileReadProgress) => void;
  /** Called once the file is open: its reader's progress is then readable at any time. */
  onContext?: (ctx: { progress: FileReadProgress }) => void;
}

export abstract class FileImporter {
  /** Checks the request, resolves (or creates) the source and starts the job; refuses with an ApplicationError. */
  abstract prepare(request: FileImportRequest, meta: CommandMetadata): Promise<PreparedFileImport>;
  /** Reads the file into its job; a failure is recorded on the job and answered as status 'failed'. */
  abstract run(prepared: PreparedFileImport, meta: CommandMetadata, options?: FileImportRunOptions): Promise<FileImportResult>;
}
