import { FieldError, IncomingMessage, validateIncoming } from '@modules/ingestion/domain/message/incoming-message';
import { ImportLimits } from '@modules/ingestion/application/import-messages/import-limits';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';

/**
 * What a file reader shares with whoever runs it: how far it got (for a progress bar), what it
 * left out on purpose (system messages are not messages: they are counted here, not rejected),
 * and a signal that stops it between two rows (shutdown).
 */
export interface ReadContext {
  /** Mutated by the reader: `done` of `total` in `unit`. */
  progress: { unit: 'bytes' | 'files' | 'messages'; done: number; total: number };
  /** Rows left out on purpose, by reason (`service`, `channel_join`, `message_deleted`, ...). */
  skipped: Record<string, number>;
  signal?: AbortSignal;
  /** The bounds of this import (config); readers fall back to DEFAULT_IMPORT_LIMITS. */
  limits?: ImportLimits;
}

export function readContext(unit: ReadContext['progress']['unit'] = 'messages', total = 0, signal?: AbortSignal): ReadContext {
  return { progress: { unit, done: 0, total }, skipped: {}, signal };
}

export class ImportInterruptedError extends Error {
  constructor() {
    super('The import was interrupted (the process is shutting down); run it again: what was stored is not stored twice');
  }
}

export function checkNotAborted(ctx: ReadContext | undefined): void {
  if (ctx?.signal?.aborted) throw new ImportInterruptedError();
}

export const skip = (ctx: ReadContext | undefined, reason: string) => {
  if (ctx) ctx.skipped[reason] = (ctx.skipped[reason] ?? 0) + 1;
};

/** Longest content kept (validateIncoming refuses longer); longer bodies are cut and flagged. */
export const MAX_CONTENT_CHARS = 200_000;

export function cut(text: string, max = MAX_CONTENT_CHARS): { text: string; truncated: boolean } {
  return text.length > max ? { text: text.slice(0, max), truncated: true } : { text, truncated: false };
}

/**
 * A provider record mapped to the docs/api.md item shape, validated by the one domain rule
 * (validateIncoming), so a file row is held to exactly what an API row is. `where` locates the
 * row in the file (e.g. `general/2024-01-02.json[3]`) and is added to each reason.
 */
export function toRow(index: number, item: Record<string, unknown>, where?: string): ParsedRow {
  const v = validateIncoming(item);
  if (v.ok) return { index, message: v.value };
  const errors = where ? v.errors.map((e) => ({ ...e, message: `${e.message} (${where})` })) : v.errors;
  // The row's own id, when it has one, names it in the job's errors.
  return typeof item.externalId === 'string' && item.externalId ? { index, parseError: errors, externalId: item.externalId.slice(0, 500) } : { index, parseError: errors };
}

export function rowError(index: number, message: string, field = ''): ParsedRow {
  return { index, parseError: [{ field, message } satisfies FieldError] };
}

export type { IncomingMessage };
