import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { DEFAULT_IMPORT_LIMITS, humanBytes, ImportLimitError, ImportLimits } from './import-limits';
import { ImportRow } from './import-runner';

type Input = Readable | AsyncIterable<Buffer | string>;

/**
 * The bytes of `input`, failing once more than `maxBytes` came (IMPORT_BODY_MAX_MB). Reading that
 * stops early leaves the stream open (an HTTP request still has to be answered on its socket).
 */
export async function* limitedBytes(input: Input, maxBytes = Infinity): AsyncGenerator<Buffer> {
  const chunks: AsyncIterable<Buffer | string> = input instanceof Readable ? input.iterator({ destroyOnReturn: false }) : input;
  let total = 0;
  for await (const chunk of chunks) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += b.length;
    if (total > maxBytes) {
      throw new ImportLimitError(IngestionErrorCode.ImportBodyTooLarge, `The body is larger than ${humanBytes(maxBytes)} (IMPORT_BODY_MAX_MB): split the import`, 'IMPORT_BODY_MAX_MB', maxBytes);
    }
    yield b;
  }
}

/**
 * Splits a byte stream into lines (on "\n", a "\r" before it dropped), each at most `maxBytes`
 * long: a longer line fails as soon as it passes the limit, never held whole (a JSON array sent
 * as NDJSON is one line of the whole file). Decoded per line, so a character split across chunks
 * stays whole. Synchronous per chunk: one await per chunk, not per line.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private lineNo = 1;
  /** A line over the limit: thrown by the next call, after the lines before it are handed out. */
  private failed: ImportLimitError | null = null;

  constructor(private readonly maxBytes: number) {}

  /** The lines completed by `chunk`. */
  push(chunk: Buffer): string[] {
    if (this.failed) throw this.failed;
    const out: string[] = [];
    try {
      let from = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, from)) {
        if (this.parts.length === 0) {
          // The whole line is in this chunk: decoded in place.
          const end = nl > from && chunk[nl - 1] === 13 ? nl - 1 : nl;
          if (end - from > this.maxBytes) throw this.tooLong();
          out.push(chunk.toString('utf8', from, end));
          this.lineNo++;
        } else {
          this.take(chunk.subarray(from, nl));
          out.push(this.flush());
        }
        from = nl + 1;
      }
      if (from < chunk.length) this.take(chunk.subarray(from));
    } catch (err) {
      if (!(err instanceof ImportLimitError)) throw err;
      this.failed = err;
      this.parts = [];
    }
    return out;
  }

  /** Throws the limit a line passed, if one did. */
  check(): void {
    if (this.failed) throw this.failed;
  }

  /** The last line, when the stream does not end with a line break. */
  end(): string[] {
    if (this.failed) throw this.failed;
    return this.size > 0 ? [this.flush()] : [];
  }

  private take(b: Buffer): void {
    this.size += b.length;
    if (this.size > this.maxBytes + 1) throw this.tooLong(); // +1: a "\r" that ends the line
    this.parts.push(b);
  }

  private flush(): string {
    let line = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    if (line.length && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    if (line.length > this.maxBytes) throw this.tooLong();
    this.parts = [];
    this.size = 0;
    this.lineNo++;
    return line.toString('utf8');
  }

  private tooLong(): ImportLimitError {
    return new ImportLimitError(
      IngestionErrorCode.ImportLineTooLong,
      `Line ${this.lineNo} is longer than ${humanBytes(this.maxBytes)} (IMPORT_MAX_LINE_BYTES): one message per line`,
      'IMPORT_MAX_LINE_BYTES',
      this.maxBytes,
      { line: this.lineNo },
    );
  }
}

/** NDJSON, one message per line, streamed: a 1 GB body is never held in memory. Blank lines are skipped. */
export async function* ndjsonRows(input: Input, limits: Pick<ImportLimits, 'maxLineBytes' | 'maxBodyBytes'> = DEFAULT_IMPORT_LIMITS): AsyncGenerator<ImportRow> {
  const splitter = new LineSplitter(limits.maxLineBytes);
  let index = 0;
  function* rows(lines: string[]): Generator<ImportRow> {
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        yield { index, item: JSON.parse(line) };
      } catch (err) {
        yield { index, parseError: [{ field: '', message: `not valid JSON: ${(err as Error).message.slice(0, 200)}` }] };
      }
      index++;
    }
  }
  for await (const chunk of limitedBytes(input, limits.maxBodyBytes)) {
    yield* rows(splitter.push(chunk));
    splitter.check(); // a line over the limit ends the import here, after the lines before it
  }
  yield* rows(splitter.end());
}

/** Header names people use for each field (case and separators ignored), overridable per import. */
const ALIASES: Record<string, string[]> = {
  externalId: ['externalid', 'id', 'messageid', 'external_message_id'],
  content: ['content', 'text', 'body', 'message'],
  sentAt: ['sentat', 'date', 'timestamp', 'time', 'ts', 'createdat'],
  'author.name': ['authorname', 'author', 'from', 'user', 'username', 'sender'],
  'author.email': ['authoremail', 'email', 'fromemail', 'senderemail'],
  'author.externalId': ['authorexternalid', 'authorid', 'userid', 'senderid'],
  channel: ['channel', 'channelname'],
  threadId: ['threadid', 'thread'],
  title: ['title', 'subject'],
};

const norm = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/** field -> header: explicit mapping first, then the aliases. */
export function csvMapping(headers: string[], explicit: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, aliases] of Object.entries(ALIASES)) {
    const given = explicit[field];
    const header = given !== undefined ? headers.find((h) => h === given) : headers.find((h) => aliases.includes(norm(h)) || norm(h) === norm(field));
    if (header !== undefined) out[field] = header;
  }
  return out;
}

/**
 * The records of a CSV body, each handed out before the parser reads the next chunk: a failure
 * (a broken CSV, a limit) comes after every record before it, never instead of records the
 * stream still had buffered (a destroyed stream's async iterator drops them).
 */
async function* csvRecords(input: Input, limits: Pick<ImportLimits, 'maxLineBytes' | 'maxBodyBytes'>): AsyncGenerator<Record<string, string>> {
  const parsed: Record<string, string>[] = [];
  let failure: unknown = null;
  const parser = parse({
    columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, max_record_size: limits.maxLineBytes,
    // Each record is taken here as it is parsed; null keeps it out of the stream's own buffer (so writes never wait for a reader).
    on_record: (record: Record<string, string>) => {
      parsed.push(record);
      return null;
    },
  });
  parser.on('error', (err) => (failure ??= err));
  const feed = (chunk?: Buffer) =>
    new Promise<void>((resolve) => {
      const done = (err?: Error | null) => {
        if (err) failure ??= err;
        resolve();
      };
      if (chunk) parser.write(chunk, done);
      else parser.end(done);
    });
  function* drain() {
    for (const record of parsed) yield record;
    parsed.length = 0;
  }
  try {
    for await (const chunk of limitedBytes(input, limits.maxBodyBytes)) {
      await feed(chunk);
      yield* drain();
      if (failure) throw failure;
    }
    await feed();
    yield* drain();
    if (failure) throw failure;
  } finally {
    parser.destroy();
  }
}

/**
 * CSV with a header row, streamed; each record becomes an import item through the header mapping.
 * A record (an unclosed quote makes the rest of the body one) is at most IMPORT_MAX_LINE_BYTES.
 */
export async function* csvRows(input: Input, explicit: Record<string, string> = {}, limits: Pick<ImportLimits, 'maxLineBytes' | 'maxBodyBytes'> = DEFAULT_IMPORT_LIMITS): AsyncGenerator<ImportRow> {
  let mapping: Record<string, string> | null = null;
  let index = 0;
  try {
    for await (const record of csvRecords(input, limits)) {
      mapping ??= csvMapping(Object.keys(record), explicit);
      const get = (field: string) => (mapping![field] !== undefined ? record[mapping![field]] : undefined);
      const author = { name: get('author.name') || undefined, email: get('author.email') || undefined, externalId: get('author.externalId') || undefined };
      yield {
        index,
        item: {
          externalId: get('externalId'),
          content: get('content'),
          sentAt: get('sentAt'),
          author: author.name || author.email || author.externalId ? author : undefined,
          channel: get('channel') || undefined,
          threadId: get('threadId') || undefined,
          title: get('title') || undefined,
          raw: record,
        },
      };
      index++;
    }
  } catch (err) {
    if (err instanceof ImportLimitError) throw err;
    if ((err as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') {
      const line = (err as { lines?: number }).lines;
      throw new ImportLimitError(IngestionErrorCode.ImportLineTooLong, `The CSV record ${index + 1}${line ? ` (line ${line})` : ''} is longer than ${humanBytes(limits.maxLineBytes)} (IMPORT_MAX_LINE_BYTES): an unclosed quote?`, 'IMPORT_MAX_LINE_BYTES', limits.maxLineBytes, { record: index + 1 });
    }
    // A broken CSV (e.g. an unclosed quote) ends the file: what came before is kept, the rest is one rejected row.
    yield { index, parseError: [{ field: '', message: `CSV could not be read from here on: ${(err as Error).message.slice(0, 300)}` }] };
  }
}

/** The docs/api.md JSON body's messages. */
export function* jsonRows(messages: unknown[]): Generator<ImportRow> {
  for (let index = 0; index < messages.length; index++) yield { index, item: messages[index] };
}
