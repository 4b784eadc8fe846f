import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ImportRow } from './import-runner';

/** NDJSON, one message per line, streamed: a 1 GB body is never held in memory. Blank lines are skipped. */
export async function* ndjsonRows(input: Readable): AsyncGenerator<ImportRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let index = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield { index, item: JSON.parse(line) };
    } catch (err) {
      yield { index, parseError: [{ field: '', message: `not valid JSON: ${(err as Error).message.slice(0, 200)}` }] };
    }
    index++;
  }
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

/** CSV with a header row, streamed; each record becomes an import item through the header mapping. */
export async function* csvRows(input: Readable, explicit: Record<string, string> = {}): AsyncGenerator<ImportRow> {
  const parser = input.pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }));
  let mapping: Record<string, string> | null = null;
  let index = 0;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
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
    // A broken CSV (e.g. an unclosed quote) ends the file: what came before is kept, the rest is one rejected row.
    yield { index, parseError: [{ field: '', message: `CSV could not be read from here on: ${(err as Error).message.slice(0, 300)}` }] };
  }
}

/** The API.md JSON body's messages. */
export function* jsonRows(messages: unknown[]): Generator<ImportRow> {
  for (let index = 0; index < messages.length; index++) yield { index, item: messages[index] };
}
