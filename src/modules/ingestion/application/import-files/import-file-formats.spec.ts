import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUOTE_EML, slackExportZip, TELEGRAM_RESULT_JSON, THREAD_MBOX } from '@test/support/fixtures/exports';
import { defaultSourceName, fileRows, formatFromFileName, sniffFormatProblem } from './import-file-formats';

describe('import file formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'formats-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, data: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };

  it('tells the format from the file name, and names the default source after the file', () => {
    expect(['Acme Slack export.zip', 'result.json', 'All mail Including Spam and Trash.mbox', 'quote.EML', 'notes.csv', 'rows.jsonl', 'rows.ndjson', 'legacy.json', 'notes.txt'].map(formatFromFileName)).toEqual([
      'slack-export', 'telegram-export', 'mbox', 'eml', 'csv', 'ndjson', 'ndjson', 'json', null,
    ]);
    expect(defaultSourceName('slack-export', '/tmp/Acme Slack export.zip')).toBe('Acme Slack export');
    expect(defaultSourceName('telegram-export', 'result.json')).toBe('Telegram export');
    expect(defaultSourceName('csv', `${'x'.repeat(150)}.csv`)).toHaveLength(100);
  });

  it('looks at the first bytes: the fixtures pass, files that plainly are something else do not', async () => {
    expect(await sniffFormatProblem(file('a.zip', slackExportZip()), 'slack-export')).toBeNull();
    expect(await sniffFormatProblem(TELEGRAM_RESULT_JSON, 'telegram-export')).toBeNull();
    expect(await sniffFormatProblem(THREAD_MBOX, 'mbox')).toBeNull();
    expect(await sniffFormatProblem(QUOTE_EML, 'eml')).toBeNull();
    expect(await sniffFormatProblem(THREAD_MBOX, 'slack-export')).toMatch(/\.zip/);
    expect(await sniffFormatProblem(QUOTE_EML, 'mbox')).toMatch(/"From " line/);
    expect(await sniffFormatProblem(file('x.json', '"just a string"'), 'json')).toMatch(/JSON array/);
    expect(await sniffFormatProblem(file('empty', ''), 'csv')).toBe('the file is empty');
  });

  it('streams files as rows with their progress in bytes, and closes them when the rows are not read to the end', async () => {
    const path = file('rows.ndjson', Array.from({ length: 50 }, (_, i) => JSON.stringify({ externalId: `r${i}`, content: 'x', sentAt: '2026-01-01' })).join('\n'));
    const { rows, ctx } = await fileRows(path, 'ndjson');
    let n = 0;
    for await (const _ of rows) n++;
    expect(n).toBe(50);
    expect(ctx.progress).toEqual({ unit: 'bytes', done: ctx.progress.total, total: expect.any(Number) });
    const abort = new AbortController();
    const again = await fileRows(path, 'ndjson', { signal: abort.signal });
    const it = again.rows[Symbol.asyncIterator]();
    await it.next();
    abort.abort();
    await expect(it.next()).rejects.toThrow(/interrupted/);
  });
});
