import { Readable } from 'node:stream';
import { expectLinear } from '@test/support/linearity';
import { csvRows, ndjsonRows } from './import-formats';
import { DEFAULT_IMPORT_LIMITS, ImportLimitError } from './import-limits';
import { ImportRow } from './import-runner';

const collect = async (rows: AsyncIterable<ImportRow>) => {
  const out: ImportRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
};
/** `text` as a stream of `size`-byte chunks (multi-byte characters fall across chunk boundaries). */
const chunked = (text: string, size = 7) => {
  const buf = Buffer.from(text);
  return Readable.from(Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size)));
};
const limits = (maxLineBytes: number, maxBodyBytes = Infinity) => ({ maxLineBytes, maxBodyBytes });
const limitError = async (rows: AsyncIterable<ImportRow>) => {
  const seen: ImportRow[] = [];
  try {
    for await (const r of rows) seen.push(r);
  } catch (err) {
    expect(err).toBeInstanceOf(ImportLimitError);
    return { err: err as ImportLimitError, seen };
  }
  throw new Error('no limit error');
};

describe('NDJSON and CSV bodies', () => {
  it('splits NDJSON lines as before: LF or CRLF, blank lines skipped (not counted), characters split across chunks kept whole, a last line without a break', async () => {
    const text = '{"a":"één"}\r\n\n  \n{"b":"日本語"}\n{bad\n{"c":1}';
    const rows = await collect(ndjsonRows(chunked(text)));
    expect(rows).toEqual([
      { index: 0, item: { a: 'één' } },
      { index: 1, item: { b: '日本語' } },
      { index: 2, parseError: [{ field: '', message: expect.stringMatching(/^not valid JSON/) }] },
      { index: 3, item: { c: 1 } },
    ]);
    expect(await collect(ndjsonRows(Readable.from([Buffer.from(text)])))).toEqual(rows);
  });

  it('stops at a line longer than IMPORT_MAX_LINE_BYTES without holding it: the lines before are read, the error names the line', async () => {
    const ok = '{"externalId":"1"}\n';
    const { err, seen } = await limitError(ndjsonRows(Readable.from([ok, ok, `{"x":"${'y'.repeat(10_000)}`, 'more"}\n', ok]), limits(2048)));
    expect(seen).toHaveLength(2);
    expect(err).toMatchObject({ code: 'INGESTION.IMPORT_LINE_TOO_LONG', details: { limit: 'IMPORT_MAX_LINE_BYTES', max: 2048, line: 3 } });
    expect(err.message).toMatch(/^Line 3 is longer than 2 KiB \(IMPORT_MAX_LINE_BYTES\)/);
    // A line of exactly the limit passes, with or without its CR.
    const exact = `{"k":"${'v'.repeat(2048 - 8)}"}`;
    expect(Buffer.byteLength(exact)).toBe(2048);
    expect(await collect(ndjsonRows(Readable.from([`${exact}\r\n${exact}`]), limits(2048)))).toHaveLength(2);
  });

  it('stops a body past IMPORT_BODY_MAX_MB while streaming, and never destroys the request it reads (its answer is still to be sent)', async () => {
    const body = Readable.from(Array.from({ length: 100 }, (_, i) => `{"i":${i}}\n`.padEnd(100, ' ')));
    const { err, seen } = await limitError(ndjsonRows(body, limits(1024, 2500)));
    expect(err).toMatchObject({ code: 'INGESTION.IMPORT_BODY_TOO_LARGE', details: { limit: 'IMPORT_BODY_MAX_MB', max: 2500 } });
    expect(seen.length).toBeGreaterThanOrEqual(20);
    expect(seen.length).toBeLessThan(26);
    expect(body.destroyed).toBe(false);
  });

  it('stops a CSV record past IMPORT_MAX_LINE_BYTES (an unclosed quote makes the rest of the body one record) and a CSV body past IMPORT_BODY_MAX_MB', async () => {
    const head = 'id,content,sentAt\n1,hello,2026-01-01\n2,';
    const quote = await limitError(csvRows(Readable.from([head, `"${'x'.repeat(50_000)}`]), {}, limits(4096)));
    expect(quote.seen).toHaveLength(1);
    expect(quote.err).toMatchObject({ code: 'INGESTION.IMPORT_LINE_TOO_LONG', details: { max: 4096, record: 2 } });
    const rows = Array.from({ length: 200 }, (_, i) => `${i},row ${i},2026-01-01\n`);
    const big = await limitError(csvRows(Readable.from(['id,content,sentAt\n', ...rows]), {}, limits(4096, 1000)));
    expect(big.err).toMatchObject({ code: 'INGESTION.IMPORT_BODY_TOO_LARGE' });
    expect(big.seen.length).toBeGreaterThan(10);
    // Other broken CSV still ends as one rejected row, as before.
    const broken = await collect(csvRows(Readable.from(['id,content\n1,"a"b"\n'])));
    expect(broken).toEqual([{ index: 0, parseError: [{ field: '', message: expect.stringMatching(/^CSV could not be read from here on/) }] }]);
  });

  describe('in linear time on pathological bodies (256 KiB -> 1 MiB)', () => {
    const ndjson: Record<string, (n: number) => string> = {
      'one long line': (n) => `{"content":"${'a'.repeat(n)}"}`,
      'only line breaks': (n) => '\n'.repeat(n),
      'CRLF blank lines': (n) => '\r\n'.repeat(n / 2),
      'many short lines': (n) => '{"a":1}\n'.repeat(n / 8),
    };
    it.each(Object.keys(ndjson))('NDJSON: %s', async (name) => {
      await expectLinear((text: string) => collect(ndjsonRows(chunked(text, 64 * 1024), limits(8 * 1024 * 1024))), ndjson[name], { n: 256 * 1024 });
    });
    // 128 KiB -> 512 KiB: csv-parse takes ~1 s per MiB of short records.
    const csv: Record<string, (n: number) => string> = {
      'a long quoted field': (n) => `id,content\n1,"${'a""'.repeat(n / 3)}"\n`,
      'runs of spaces (trimmed)': (n) => `id,content\n1,${' '.repeat(n)}x\n`,
      'only commas': (n) => `id,content\n${','.repeat(n)}\n`,
      'many rows': (n) => `id,content\n${'1,"a, b"\n'.repeat(n / 9)}`,
    };
    it.each(Object.keys(csv))('CSV: %s', async (name) => {
      await expectLinear((text: string) => collect(csvRows(chunked(text, 64 * 1024), {}, limits(8 * 1024 * 1024))), csv[name], { n: 128 * 1024 });
    });
  });

  it('has safe defaults', () => {
    expect(DEFAULT_IMPORT_LIMITS).toEqual(expect.objectContaining({ maxLineBytes: 4 * 1024 * 1024, maxBodyBytes: 256 * 1024 * 1024 }));
  });
});
