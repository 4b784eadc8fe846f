import { open, readFile, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import { IMPORT_FILE_FORMATS, ImportFileFormat } from '@modules/ingestion/contracts/file-imports';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { csvRows, jsonRows, ndjsonRows } from '@modules/ingestion/application/import-messages/import-formats';
import { DEFAULT_IMPORT_LIMITS, ImportLimits, jsonTooLarge } from '@modules/ingestion/application/import-messages/import-limits';
import { ImportRow, ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { emlRows, mboxRows } from './email.reader';
import { checkEmailZipLimits, emailZipRows, mailEntryKind } from './email-zip.reader';
import { checkNotAborted, ReadContext } from './read-context';
import { checkSlackExportLimits, slackExportRows } from './slack-export.reader';
import { telegramExportFileRows } from './telegram-export.reader';
import { centralDirectory, openZip } from './zip-archive';

// The format list is part of the contract (the CLI's --format); re-exported for the readers here.
export { IMPORT_FILE_FORMATS, type ImportFileFormat } from '@modules/ingestion/contracts/file-imports';

export const isImportFileFormat = (v: unknown): v is ImportFileFormat => typeof v === 'string' && (IMPORT_FILE_FORMATS as readonly string[]).includes(v);

/** The source kind a format's messages come from, when no source is named. */
export const SOURCE_KIND_OF: Record<ImportFileFormat, SourceKind> = {
  'slack-export': 'slack',
  'telegram-export': 'telegram',
  mbox: 'email',
  eml: 'email',
  'email-zip': 'email',
  csv: 'api',
  ndjson: 'api',
  json: 'api',
};

/** The format from a file name, when it says: .zip, .mbox/.mbx, .eml, .csv, .ndjson/.jsonl, result.json, .json. */
export function formatFromFileName(fileName: string): ImportFileFormat | null {
  const name = basename(fileName).toLowerCase();
  const ext = extname(name);
  if (ext === '.zip') return 'slack-export';
  if (ext === '.mbox' || ext === '.mbx' || name === 'mbox') return 'mbox';
  if (ext === '.eml') return 'eml';
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (name === 'result.json') return 'telegram-export';
  if (ext === '.json') return 'json';
  return null;
}

/** A Slack export's root files (at the top, or in the one folder an export was re-zipped in). */
const SLACK_MARKER = /(^|\/)(channels|users)\.json$/;

/**
 * The format of a file whose format was not given: from its name, and for a .zip from its
 * central directory: a Slack export has channels.json or users.json; else, with .eml or mbox
 * entries, it is a zip of mail files (email-zip). Anything else stays slack-export, whose checks
 * and reader say what is wrong with it (not a zip, over the limits, no channels.json).
 */
export async function formatOfFile(path: string, fileName: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): Promise<ImportFileFormat | null> {
  const byName = formatFromFileName(fileName);
  if (byName !== 'slack-export') return byName;
  const zip = await openZip(path).catch(() => null);
  if (!zip) return byName;
  try {
    let mail = false;
    for (const e of await centralDirectory(zip, limits)) {
      if (e.fileName.startsWith('__MACOSX/')) continue;
      if (SLACK_MARKER.test(e.fileName)) return 'slack-export';
      mail ||= mailEntryKind(e.fileName) !== null;
    }
    return mail ? 'email-zip' : byName;
  } catch {
    return byName; // over IMPORT_ZIP_MAX_ENTRIES, or a damaged directory: checkFileLimits and the job say so
  } finally {
    zip.close();
  }
}

/**
 * The source name when none is given: the file name without its extension (the same file
 * imported again lands in the same source, so it stores nothing new). Telegram always names
 * its file result.json: that source is "Telegram export".
 */
export function defaultSourceName(format: ImportFileFormat, fileName: string): string {
  const stem = basename(fileName).replace(/\.[^.]+$/, '').trim();
  if (format === 'telegram-export' && (stem === '' || stem.toLowerCase() === 'result')) return 'Telegram export';
  return (stem || `${format} import`).slice(0, 100);
}

/** A local file header or, for an empty archive, the end of the central directory. */
const isZip = (head: Buffer) => head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) || head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x05, 0x06]));

/**
 * A cheap look at the first bytes, so a file that plainly is not the format it is sent as is
 * refused at once (400) instead of failing later as a job. Returns the reason, or null.
 */
export async function sniffFormatProblem(path: string, format: ImportFileFormat): Promise<string | null> {
  const { size } = await stat(path);
  if (size === 0) return 'the file is empty';
  const fh = await open(path, 'r');
  const head = Buffer.alloc(Math.min(size, 4096));
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const firstLine = text.replace(/^[\r\n]+/, '').split(/\r?\n/, 1)[0];
  switch (format) {
    case 'slack-export':
      return isZip(head) ? null : 'a Slack export is a .zip file';
    case 'email-zip':
      return isZip(head) ? null : 'an email-zip is a .zip file of .eml or .mbox files';
    case 'telegram-export':
      return /^\s*\{/.test(text) ? null : "a Telegram export is Telegram Desktop's result.json (a JSON object)";
    case 'json':
      return /^\s*[[{]/.test(text) ? null : 'a json import is a JSON array of messages or { "messages": [...] }';
    case 'mbox':
      return firstLine.startsWith('From ') ? null : 'an mbox starts with a "From " line';
    case 'eml':
      return /^[\x21-\x39\x3b-\x7e]+:/.test(firstLine) ? null : 'an .eml file starts with its header lines ("Name: value")';
    case 'csv':
    case 'ndjson':
      return null;
  }
}

/**
 * The limits a file can be held to before it is read (IMPORT_JSON_MAX_MB for what is parsed
 * whole, the zip's entries and sizes from its central directory): an ImportLimitError (413), so
 * nothing is started. What only reading can tell (sizes an archive lies about) fails the job.
 */
export async function checkFileLimits(path: string, format: ImportFileFormat, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): Promise<void> {
  if (format === 'telegram-export' || format === 'json') {
    const { size } = await stat(path);
    if (size > limits.jsonMaxBytes) throw jsonTooLarge(`This ${format} file`, size, limits.jsonMaxBytes);
  }
  if (format === 'slack-export') await checkSlackExportLimits(path, limits);
  if (format === 'email-zip') await checkEmailZipLimits(path, limits);
}

export interface FileRows {
  rows: AsyncIterable<ImportRow | ParsedRow>;
  ctx: ReadContext;
}

/** Opens the file only when the rows are read, reports bytes read as progress, and always closes it. */
async function* streamed<T>(path: string, ctx: ReadContext, read: (input: Readable) => AsyncIterable<T>): AsyncGenerator<T> {
  const input = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const row of read(input)) {
      checkNotAborted(ctx);
      ctx.progress.done = input.bytesRead;
      yield row;
    }
    ctx.progress.done = ctx.progress.total;
  } finally {
    input.destroy();
  }
}

async function* jsonFileRows(path: string, ctx: ReadContext): AsyncGenerator<ImportRow> {
  const { size } = await stat(path);
  const max = ctx.limits?.jsonMaxBytes ?? DEFAULT_IMPORT_LIMITS.jsonMaxBytes;
  if (size > max) throw jsonTooLarge('This json file', size, max);
  let doc: unknown;
  try {
    doc = JSON.parse((await readFile(path)).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`The file is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const messages = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as { messages?: unknown }).messages) ? (doc as { messages: unknown[] }).messages : null;
  if (!messages) throw new Error('A json import is an array of messages or { "messages": [...] }');
  ctx.progress = { unit: 'messages', done: 0, total: messages.length };
  for (const row of jsonRows(messages)) {
    checkNotAborted(ctx);
    ctx.progress.done++;
    yield row;
  }
}

/**
 * The rows of a file in a format, streamed where the format allows (mbox, ndjson, csv, eml,
 * the Slack and mail zips entry by entry); Telegram's result.json and json are parsed whole (limit above).
 */
export async function fileRows(path: string, format: ImportFileFormat, options: { signal?: AbortSignal; csvMapping?: Record<string, string>; limits?: ImportLimits } = {}): Promise<FileRows> {
  const { size } = await stat(path);
  const limits = options.limits ?? DEFAULT_IMPORT_LIMITS;
  const ctx: ReadContext = { progress: { unit: 'bytes', done: 0, total: size }, skipped: {}, signal: options.signal, limits };
  // A file's size is bounded by IMPORT_MAX_FILE_MB already: lines and records are what is held here.
  const text = { maxLineBytes: limits.maxLineBytes, maxBodyBytes: Infinity };
  switch (format) {
    case 'slack-export':
      return { rows: slackExportRows(path, ctx), ctx };
    case 'email-zip':
      return { rows: emailZipRows(path, ctx), ctx };
    case 'telegram-export':
      return { rows: telegramExportFileRows(path, ctx), ctx };
    case 'json':
      return { rows: jsonFileRows(path, ctx), ctx };
    case 'mbox':
      return { rows: streamed(path, ctx, (input) => mboxRows(input, ctx, limits.emailMaxBytes)), ctx };
    case 'eml':
      return { rows: streamed(path, ctx, (input) => emlRows(input, ctx, size, limits.emailMaxBytes)), ctx };
    case 'ndjson':
      return { rows: streamed(path, ctx, (input) => ndjsonRows(input, text)), ctx };
    case 'csv':
      return { rows: streamed(path, ctx, (input) => csvRows(input, options.csvMapping ?? {}, text)), ctx };
  }
}
