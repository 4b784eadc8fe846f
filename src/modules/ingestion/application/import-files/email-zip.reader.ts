import { Readable } from 'node:stream';
import { DEFAULT_IMPORT_LIMITS, humanBytes, ImportLimitError, ImportLimits } from '@modules/ingestion/application/import-messages/import-limits';
import { ParsedRow } from '@modules/ingestion/application/import-messages/import-runner';
import { emailItem, mboxRows, sniffMessageId } from './email.reader';
import { checkNotAborted, ImportInterruptedError, ReadContext, rowError, skip, toRow } from './read-context';
import { byCodePoint, centralDirectory, checkZipLimits, EntryNames, EntryReader, openZip, ZipArchive, ZipEntry } from './zip-archive';

/**
 * A zip of mail files: what mail programs export (Outlook, Thunderbird, Apple Mail: a folder of
 * .eml files zipped) and Google Takeout's mail (`Takeout/Mail/<label>.mbox`). Every .eml entry is
 * one message; every mbox entry (.mbox, .mbx, or the `mbox` file inside an Apple Mail
 * `<name>.mbox/` folder) is streamed through mboxRows, never held whole. Entries are read in
 * code-point order of their names, whatever their order in the zip; `index` counts messages
 * across the archive.
 *
 * Limits: the zip's (zip-archive.ts: entry count, declared sizes, IMPORT_ZIP_MAX_TOTAL_MB of
 * inflated bytes); an email is held to IMPORT_EMAIL_MAX_MB as in an mbox: an .eml over it is a
 * rejected row (named by the Message-ID of its first bytes), not read whole. An mbox entry is
 * not held to IMPORT_ZIP_MAX_ENTRY_MB: it is streamed (Takeout's "All mail" runs to gigabytes).
 * A damaged entry is a rejected row; the entries after it are read.
 */
/** `message`: a file that may be one message without saying so (Maildir's cur/new files, corpora of bare files): looked at before it is read as one. */
export type MailEntryKind = 'eml' | 'mbox' | 'message';

const MAIL_FILES: EntryNames = { plural: 'mail files', first: 'the first mail file' };
/** Enough of an oversized .eml to read its Message-ID from the header block. */
const HEAD_BYTES = 64 * 1024;

/** What an entry of the zip is to this reader; null for folders, macOS resource forks and anything else. */
export function mailEntryKind(fileName: string): MailEntryKind | null {
  if (fileName.endsWith('/') || fileName.startsWith('__MACOSX/')) return null;
  const base = fileName.slice(fileName.lastIndexOf('/') + 1).toLowerCase();
  if (base.startsWith('._')) return null; // AppleDouble metadata of the file without the dot, not mail
  if (base.endsWith('.eml')) return 'eml';
  if (base.endsWith('.mbox') || base.endsWith('.mbx') || base === 'mbox') return 'mbox';
  // Maildir (cur/new/tmp folders: one message per file, named by its delivery) and bare message
  // files without an extension or named <number>.<md5> (archived mail spools, the SpamAssassin corpus).
  if (/(^|\/)(cur|new|tmp)\/[^/]+$/.test(fileName) || !base.includes('.') || /^\d+\.[0-9a-f]{32}$/.test(base)) return 'message';
  return null;
}

/** The first line of a message file: a header ("Name: value") or an mbox postmark ("From "). */
function looseKind(bytes: Buffer): 'eml' | 'mbox' | null {
  const first = bytes.subarray(0, 1000).toString('latin1').replace(/^[\r\n]+/, '').split(/\r?\n/, 1)[0];
  if (first.startsWith('From ')) return 'mbox';
  return /^[\x21-\x39\x3b-\x7e]+:/.test(first) ? 'eml' : null;
}

/** What the reader inflates: mbox entries, and .eml entries no larger than an email may be (a larger one is only peeked at). */
const inflatedWhole = (e: ZipEntry, limits: ImportLimits) => {
  const kind = mailEntryKind(e.fileName);
  return kind === 'mbox' || ((kind === 'eml' || kind === 'message') && e.uncompressedSize <= limits.emailMaxBytes);
};

/** The central directory against the zip limits before anything is read (413 before a job); an unreadable archive passes, the job reports it. */
export async function checkEmailZipLimits(zipPath: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): Promise<void> {
  await checkZipLimits(zipPath, limits, { reads: (e) => inflatedWhole(e, limits) });
}

/** Errors that end the import rather than one entry: a limit of the archive, or the shutdown. */
const endsTheImport = (err: unknown) => err instanceof ImportLimitError || err instanceof ImportInterruptedError;
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);

/** The bytes of an entry up to `max`; `complete` false when it holds more (the rest is not inflated). */
async function readUpTo(reader: EntryReader, e: ZipEntry, max: number): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of reader.chunks(e)) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > max) return { bytes: Buffer.concat(chunks).subarray(0, max), complete: false };
  }
  return { bytes: Buffer.concat(chunks), complete: true };
}

/**
 * An .eml entry's row; for a loose `message` entry, null when it does not look like mail (left
 * out, counted), or its bytes when it is a one-message mbox (a postmark line first).
 */
async function emlEntryRow(reader: EntryReader, e: ZipEntry, index: number, limits: ImportLimits, now: Date, loose = false): Promise<ParsedRow | { mbox: Buffer } | null> {
  const name = e.fileName;
  const max = limits.emailMaxBytes;
  const tooLarge = (size: string, head: Buffer | null): ParsedRow => ({
    ...rowError(index, `${name} is ${size}, more than the ${humanBytes(max)} an email may have (IMPORT_EMAIL_MAX_MB)`),
    externalId: head ? sniffMessageId(head) : null,
  });
  if (e.uncompressedSize > max) {
    // Only the header block is inflated, to name the message; a damaged one is still this row.
    const head = await readUpTo(reader, e, HEAD_BYTES).then((r) => r.bytes, (err: unknown) => {
      if (endsTheImport(err)) throw err;
      return null;
    });
    return tooLarge(humanBytes(e.uncompressedSize), head);
  }
  let source: Buffer;
  try {
    const read = await readUpTo(reader, e, max);
    // Past its declared size the reader stops the archive first (a zip bomb): this bounds memory all the same.
    if (!read.complete) return tooLarge(`more than ${humanBytes(max)}`, read.bytes);
    source = read.bytes;
  } catch (err) {
    if (endsTheImport(err)) throw err;
    return rowError(index, `${name} could not be read: ${reason(err)}`);
  }
  if (loose) {
    const kind = looseKind(source);
    if (kind === null) return null;
    if (kind === 'mbox') return { mbox: source };
  }
  try {
    return toRow(index, await emailItem(source, { htmlMaxChars: limits.htmlMaxChars, now }), name);
  } catch (err) {
    return { ...rowError(index, `${name} is not a readable email: ${reason(err)}`), externalId: sniffMessageId(source) };
  }
}

/** mboxRows' reasons say "of the mbox": here, which mbox of the zip. */
function inEntry(row: ParsedRow, name: string): ParsedRow {
  if (!('parseError' in row)) return row;
  const named = (message: string) => (message.includes('of the mbox') ? message.replace('of the mbox', `of ${name}`) : `${message} (${name})`);
  return { ...row, parseError: row.parseError.map((e) => ({ ...e, message: named(e.message) })) };
}

/** An mbox entry's rows, streamed as it inflates; `index` is the message's position in the entry. */
async function* mboxEntryRows(reader: EntryReader, e: ZipEntry, ctx: ReadContext | undefined, limits: ImportLimits, now: Date): AsyncGenerator<ParsedRow> {
  let position = 0;
  try {
    for await (const row of mboxRows(reader.chunks(e), ctx, limits.emailMaxBytes, now)) {
      position = row.index + 1;
      yield inEntry(row, e.fileName);
    }
  } catch (err) {
    if (endsTheImport(err)) throw err;
    // The messages before the damage are kept; the one being read when it struck is this row.
    yield rowError(position, `${e.fileName} could not be read${position > 0 ? ` to the end (after ${position} rows)` : ''}: ${reason(err)}`);
  }
}

/** The rows of a zip of mail files at `zipPath` (see above). */
export async function* emailZipRows(zipPath: string, ctx?: ReadContext): AsyncGenerator<ParsedRow> {
  let zip: ZipArchive;
  try {
    zip = await openZip(zipPath);
  } catch (err) {
    throw new Error(`Not a readable zip: ${(err as Error).message}`);
  }
  try {
    const limits = ctx?.limits ?? DEFAULT_IMPORT_LIMITS;
    const mail = byCodePoint(
      (await centralDirectory(zip, limits)).map((entry) => ({ entry, kind: mailEntryKind(entry.fileName) })).filter((x): x is { entry: ZipEntry; kind: MailEntryKind } => x.kind !== null),
      (x) => x.entry.fileName,
    );
    if (mail.length === 0) throw new Error('Not a mail export: no .eml or .mbox files in the zip');
    if (ctx) ctx.progress = { unit: 'files', done: 0, total: mail.length };
    const reader = new EntryReader(zip, limits, ctx, MAIL_FILES);
    const now = new Date(); // one import time for the whole archive (the last fallback of sentAt)
    let index = 0;
    for (const { entry, kind } of mail) {
      checkNotAborted(ctx);
      if (kind === 'eml' || kind === 'message') {
        const row = await emlEntryRow(reader, entry, index, limits, now, kind === 'message');
        if (row === null) skip(ctx, 'not a mail file');
        else if ('mbox' in row) for await (const r of mboxRows(Readable.from([row.mbox]), ctx, limits.emailMaxBytes, now)) yield { ...inEntry(r, entry.fileName), index: index++ };
        else yield { ...row, index: index++ };
      } else if (entry.uncompressedSize === 0) skip(ctx, 'empty mbox file'); // a label or folder without mail: nothing was left out
      else for await (const row of mboxEntryRows(reader, entry, ctx, limits, now)) yield { ...row, index: index++ };
      if (ctx) ctx.progress.done++;
    }
  } finally {
    zip.close();
  }
}
