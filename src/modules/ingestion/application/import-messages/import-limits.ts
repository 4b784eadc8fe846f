import type { AppConfig } from '@config/app-config';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';

/**
 * The bounds every import input is held to, so no body, line, archive or document can take
 * unbounded memory or time (issue 11): from config (IMPORT_* variables), with the same safe
 * defaults for readers used outside the app (tests, benches).
 */
export interface ImportLimits {
  /** Longest NDJSON line / CSV record (IMPORT_MAX_LINE_BYTES). */
  maxLineBytes: number;
  /** Largest streamed NDJSON/CSV request body (IMPORT_BODY_MAX_MB). */
  maxBodyBytes: number;
  /** Most entries of a Slack export zip (IMPORT_ZIP_MAX_ENTRIES). */
  zipMaxEntries: number;
  /** Largest uncompressed entry read from a zip (IMPORT_ZIP_MAX_ENTRY_MB). */
  zipMaxEntryBytes: number;
  /** Largest total of uncompressed entries read from a zip (IMPORT_ZIP_MAX_TOTAL_MB). */
  zipMaxTotalBytes: number;
  /** Largest JSON document parsed whole (IMPORT_JSON_MAX_MB). */
  jsonMaxBytes: number;
  /** HTML of one email that is parsed and kept (IMPORT_HTML_MAX_CHARS). */
  htmlMaxChars: number;
  /** Largest single email, in an mbox or as an .eml file (IMPORT_EMAIL_MAX_MB). */
  emailMaxBytes: number;
}

const MB = 1024 * 1024;

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxLineBytes: 4 * MB,
  maxBodyBytes: 256 * MB,
  zipMaxEntries: 100_000,
  zipMaxEntryBytes: 128 * MB,
  zipMaxTotalBytes: 4096 * MB,
  jsonMaxBytes: 128 * MB,
  htmlMaxChars: 1_000_000,
  emailMaxBytes: 64 * MB,
};

export function importLimitsOf(config: Partial<AppConfig>): ImportLimits {
  const d = DEFAULT_IMPORT_LIMITS;
  const mb = (v: number | undefined, fallback: number) => (v === undefined ? fallback : v * MB);
  return {
    maxLineBytes: config.IMPORT_MAX_LINE_BYTES ?? d.maxLineBytes,
    maxBodyBytes: mb(config.IMPORT_BODY_MAX_MB, d.maxBodyBytes),
    zipMaxEntries: config.IMPORT_ZIP_MAX_ENTRIES ?? d.zipMaxEntries,
    zipMaxEntryBytes: mb(config.IMPORT_ZIP_MAX_ENTRY_MB, d.zipMaxEntryBytes),
    zipMaxTotalBytes: mb(config.IMPORT_ZIP_MAX_TOTAL_MB, d.zipMaxTotalBytes),
    jsonMaxBytes: mb(config.IMPORT_JSON_MAX_MB, d.jsonMaxBytes),
    htmlMaxChars: config.IMPORT_HTML_MAX_CHARS ?? d.htmlMaxChars,
    emailMaxBytes: mb(config.IMPORT_EMAIL_MAX_MB, d.emailMaxBytes),
  };
}

export type ImportLimitCode =
  | IngestionErrorCode.ImportBodyTooLarge
  | IngestionErrorCode.ImportLineTooLong
  | IngestionErrorCode.ImportJsonTooLarge
  | IngestionErrorCode.ImportZipTooManyEntries
  | IngestionErrorCode.ImportZipEntryTooLarge
  | IngestionErrorCode.ImportZipTooLarge;

/**
 * An input over one of the limits (413). `setting` names the variable that sets it, so the
 * message tells an operator what to raise. Raised before anything is stored (a 413 at once), or
 * by a reader in the middle of an import: the runner then stores the rows read before it, fails
 * the job with this message and how far it got, and rethrows (a 413 for the synchronous route).
 */
export class ImportLimitError extends IngestionError {
  constructor(
    code: ImportLimitCode,
    message: string,
    readonly setting: string,
    readonly limit: number,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { limit: setting, max: limit, ...details });
  }
}

/** A JSON document parsed whole (the `json` format, result.json, a Slack export's files) larger than IMPORT_JSON_MAX_MB: 413. */
export function jsonTooLarge(what: string, size: number, max: number, hint = 'use ndjson, or export in parts'): ImportLimitError {
  return new ImportLimitError(
    IngestionErrorCode.ImportJsonTooLarge,
    `${what} is ${size > max ? humanBytes(size) : `more than ${humanBytes(max)}`}; JSON documents are parsed whole, at most ${humanBytes(max)} (IMPORT_JSON_MAX_MB): ${hint}`,
    'IMPORT_JSON_MAX_MB',
    max,
    { size },
  );
}

/** 1536 -> "1.5 KiB", 3145728 -> "3 MiB": limits in messages people read. */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Math.round(v * 10) / 10} ${units[u]}`;
}
