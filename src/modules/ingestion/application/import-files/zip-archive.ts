import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { humanBytes, ImportLimitError, ImportLimits } from '@modules/ingestion/application/import-messages/import-limits';
import { ReadContext } from './read-context';

/**
 * What every zip import shares (a Slack export, a zip of mail files): the archive read entry by
 * entry with yauzl (random access through the central directory), never in memory, and held to
 * the zip limits against zip bombs: at most IMPORT_ZIP_MAX_ENTRIES entries; every entry counted
 * byte by byte as it inflates, stopped past what its header declares and past
 * IMPORT_ZIP_MAX_TOTAL_MB for the archive. What an entry may hold beyond that (a JSON document
 * parsed whole, an email) is the reader's to check.
 */
export type ZipArchive = yauzl.ZipFile;
export type ZipEntry = yauzl.Entry;

export const tooManyEntries = (count: number, max: number) =>
  new ImportLimitError(IngestionErrorCode.ImportZipTooManyEntries, `The zip has ${count} entries, more than the ${max} an export may have (IMPORT_ZIP_MAX_ENTRIES)`, 'IMPORT_ZIP_MAX_ENTRIES', max, { entries: count });
export const entryTooLarge = (name: string, size: number, max: number) =>
  new ImportLimitError(IngestionErrorCode.ImportZipEntryTooLarge, `${name} unpacks to ${humanBytes(size)}, more than the ${humanBytes(max)} a zip entry may have (IMPORT_ZIP_MAX_ENTRY_MB)`, 'IMPORT_ZIP_MAX_ENTRY_MB', max, { entry: name });
export const archiveTooLarge = (name: string, max: number, where: string) =>
  new ImportLimitError(IngestionErrorCode.ImportZipTooLarge, `The export unpacks to more than ${humanBytes(max)} (IMPORT_ZIP_MAX_TOTAL_MB), reached at ${name}${where}`, 'IMPORT_ZIP_MAX_TOTAL_MB', max, { entry: name });

/** An entry read whole: what its header says against IMPORT_ZIP_MAX_ENTRY_MB (the bytes are checked again as they inflate). */
export function checkDeclared(e: ZipEntry, limits: ImportLimits): void {
  if (e.uncompressedSize > limits.zipMaxEntryBytes) throw entryTooLarge(e.fileName, e.uncompressedSize, limits.zipMaxEntryBytes);
}

/** Sizes are checked by EntryReader (it stops an entry at its declared size with a clear error). */
export const openZip = (zipPath: string): Promise<ZipArchive> => yauzl.openPromise(zipPath, { autoClose: false, strictFileNames: false, validateEntrySizes: false });

/** Every entry of the central directory: refused past IMPORT_ZIP_MAX_ENTRIES before one is listed (yauzl lists exactly entryCount). */
export async function centralDirectory(zip: ZipArchive, limits: ImportLimits): Promise<ZipEntry[]> {
  if (zip.entryCount > limits.zipMaxEntries) throw tooManyEntries(zip.entryCount, limits.zipMaxEntries);
  const entries: ZipEntry[] = [];
  for await (const e of zip.eachEntry()) entries.push(e);
  return entries;
}

/**
 * The central directory against the limits, before anything is read: the entry count, each entry
 * the reader will inflate (`reads`) through `check`, and their declared total. An archive that
 * cannot be opened passes: the import job reports it.
 */
export async function checkZipLimits(zipPath: string, limits: ImportLimits, entries: { reads: (e: ZipEntry) => boolean; check?: (e: ZipEntry) => void }): Promise<void> {
  let zip: ZipArchive;
  try {
    zip = await openZip(zipPath);
  } catch {
    return;
  }
  try {
    let total = 0;
    for (const e of await centralDirectory(zip, limits)) {
      if (!entries.reads(e)) continue;
      entries.check?.(e);
      total += e.uncompressedSize;
      if (total > limits.zipMaxTotalBytes) throw archiveTooLarge(e.fileName, limits.zipMaxTotalBytes, ' (declared sizes)');
    }
  } catch (err) {
    if (err instanceof ImportLimitError) throw err;
  } finally {
    zip.close();
  }
}

/** How the progress of a zip's reader names its files in a limit's message ("day files", "the first day file"). */
export interface EntryNames {
  plural: string;
  first: string;
}

/**
 * Inflates entries with the byte budget of the archive: an entry that inflates past its declared
 * size or IMPORT_ZIP_MAX_TOTAL_MB is stopped there (an ImportLimitError naming how far the
 * import got), not buffered to the end.
 */
export class EntryReader {
  private total = 0;

  constructor(
    private readonly zip: ZipArchive,
    private readonly limits: ImportLimits,
    private readonly ctx: ReadContext | undefined,
    private readonly names: EntryNames,
  ) {}

  /** The entry's bytes as they inflate; the stream is closed when the caller stops early. */
  async *chunks(entry: ZipEntry): AsyncGenerator<Buffer> {
    const declared = entry.uncompressedSize;
    const stream: Readable = await this.zip.openReadStreamPromise(entry);
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        this.total += chunk.length;
        if (size > declared) {
          throw new ImportLimitError(
            IngestionErrorCode.ImportZipEntryTooLarge,
            `${entry.fileName} unpacks to more than the ${humanBytes(declared)} its header declares: a corrupt or crafted archive (zip bomb)${this.where()}`,
            'IMPORT_ZIP_MAX_ENTRY_MB',
            this.limits.zipMaxEntryBytes,
            { entry: entry.fileName, declared },
          );
        }
        if (this.total > this.limits.zipMaxTotalBytes) throw archiveTooLarge(entry.fileName, this.limits.zipMaxTotalBytes, this.where());
        yield chunk;
      }
    } finally {
      stream.destroy();
    }
    if (size < declared) throw new Error(`${entry.fileName} is shorter than its header declares (${size} of ${declared} bytes): the archive is damaged`);
  }

  /** The entry whole (the caller has checked what its header declares). */
  async read(entry: ZipEntry): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.chunks(entry)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  private where(): string {
    const p = this.ctx?.progress;
    return p && p.unit === 'files' ? `, after ${p.done} of ${p.total} ${this.names.plural}` : `, before ${this.names.first}`;
  }
}

/** Entry names in code-point order (UTF-8 byte order), not the locale's: the same archive always reads, and numbers its rows, the same way. */
export function byCodePoint<T>(items: T[], name: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, key: Buffer.from(name(item), 'utf8') }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map((x) => x.item);
}
