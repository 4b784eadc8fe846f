import { expectLinear } from '@test/support/linearity';
import { chunkMessage, chunkTextHash, countChunkTokens, LONG_TOKEN_CHARS, tokenSpansForChunking } from './message-chunker';

const words = (n: number, prefix = 'w') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
const opts = { maxTokens: 200, overlap: 40 };

describe('chunkMessage', () => {
  it('keeps a short message as one chunk: the content without its surrounding whitespace, with offsets and tokens', () => {
    const content = '  Hi team, the CSV export crashes on the Reports page.\n';
    const [chunk, ...rest] = chunkMessage(content, null, opts);
    expect(rest).toEqual([]);
    expect(chunk).toEqual(expect.objectContaining({ index: 0, text: 'Hi team, the CSV export crashes on the Reports page.', start: 2, end: content.length - 1, tokens: 12 }));
    expect(content.slice(chunk.start, chunk.end)).toBe(chunk.text);
  });

  it('makes no chunk of empty or whitespace-only content, and a lone chunk of a title without body', () => {
    expect(chunkMessage('', null, opts)).toEqual([]);
    expect(chunkMessage(' \n\t  \u00a0', null, opts)).toEqual([]);
    expect(chunkMessage('   ', '  Quarterly   review ', opts)).toEqual([expect.objectContaining({ index: 0, text: 'Quarterly review', tokens: 2 })]);
    expect(chunkMessage('', '  ', opts)).toEqual([]);
  });

  it('cuts text without boundaries into full windows that overlap by exactly `overlap` tokens', () => {
    const content = words(500).join(' ');
    const chunks = chunkMessage(content, null, opts);
    expect(chunks.map((c) => [c.text.split(' ')[0], c.text.split(' ').at(-1), c.tokens])).toEqual([
      ['w1', 'w200', 200],
      ['w161', 'w360', 200],
      ['w321', 'w500', 180],
    ]);
    for (const c of chunks) expect(content.slice(c.start, c.end)).toBe(c.text);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('ends a window at a paragraph or sentence boundary near its end, never past maxTokens, and covers every token', () => {
    // Sentences of 9 tokens (8 words and a full stop), paragraphs of 5 sentences.
    const sentence = (p: number, s: number) => `${words(8, `p${p}s${s}w`).join(' ')}.`;
    const paragraphs = Array.from({ length: 12 }, (_, p) => Array.from({ length: 5 }, (_, s) => sentence(p, s)).join(' '));
    const content = paragraphs.join('\n\n');
    const chunks = chunkMessage(content, null, opts);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks.slice(0, -1)) {
      expect(c.tokens).toBeLessThanOrEqual(200);
      // Windows end where a paragraph ends (every 45 tokens, so one is always in the last quarter).
      expect(content.slice(c.end, c.end + 2)).toBe('\n\n');
      expect(c.text.endsWith('.')).toBe(true);
    }
    for (const c of chunks.slice(1)) {
      // ...and the next one starts at a sentence start inside the overlap.
      expect(c.text).toMatch(/^p\d+s\d+w1 /);
    }
    for (let k = 1; k < chunks.length; k++) {
      expect(chunks[k].start).toBeLessThan(chunks[k - 1].end); // overlap
      expect(chunks[k].start).toBeGreaterThan(chunks[k - 1].start); // progress
    }
    const covered = new Set<number>();
    for (const c of chunks) for (const t of tokenSpansForChunking(content)) if (t.start >= c.start && t.end <= c.end) covered.add(t.start);
    expect(covered.size).toBe(tokenSpansForChunking(content).length);
  });

  it('prefixes the title to the first chunk only, within its token budget', () => {
    const content = words(400).join(' ');
    const chunks = chunkMessage(content, 'Re: Renewal quote for Acme', opts);
    expect(chunks[0].text.startsWith('Re: Renewal quote for Acme\n\nw1 ')).toBe(true);
    expect(chunks[0].tokens).toBeLessThanOrEqual(200);
    expect(chunks[0].tokens).toBe(countChunkTokens(chunks[0].text));
    expect(content.slice(chunks[0].start, chunks[0].end)).toBe(chunks[0].text.split('\n\n')[1]);
    expect(chunks[1].text.startsWith('w')).toBe(true);
    // An absurdly long subject takes at most half of the first window.
    const long = chunkMessage(content, words(300, 'subject').join(' '), opts);
    expect(long[0].text.split('\n\n')[0].split(' ')).toHaveLength(100);
    expect(long[0].tokens).toBeLessThanOrEqual(200);
  });

  it('cuts a huge single token (a pasted blob) into pieces so no chunk grows past maxTokens * LONG_TOKEN_CHARS characters', () => {
    const blob = 'QUJD'.repeat(25_000); // 100,000 characters, one "word"
    const chunks = chunkMessage(`Attachment follows: ${blob} end`, null, opts);
    expect(chunks.length).toBeGreaterThan(20);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(200);
      expect(c.text.length).toBeLessThanOrEqual(200 * LONG_TOKEN_CHARS + 200);
    }
    expect(chunks.at(-1)!.text.endsWith('end')).toBe(true);
  });

  it('handles any script: unspaced CJK counts per character, astral characters are never split, RTL and Cyrillic words are words', () => {
    const han = '我们的导出功能在报告页面上崩溃了。'.repeat(40); // 680 characters, no spaces
    const chunks = chunkMessage(han, null, { maxTokens: 100, overlap: 10 });
    expect(chunks.length).toBeGreaterThanOrEqual(7);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(100);
      expect(han.slice(c.start, c.end)).toBe(c.text);
    }
    // Windows end after a 。 when one is near the end.
    expect(chunks[0].text.endsWith('。')).toBe(true);

    const astral = '𠀀𠀁𠀂'.repeat(50); // surrogate pairs
    for (const c of chunkMessage(astral, null, { maxTokens: 16, overlap: 4 })) {
      expect(c.text.length % 2).toBe(0);
      expect([...c.text].every((ch) => /^[𠀀𠀁𠀂]$/u.test(ch))).toBe(true);
    }

    expect(chunkMessage('Привет, экспорт не работает. مرحبا بالعالم', null, opts)[0].tokens).toBe(8);
    const emoji = chunkMessage('🔥🔥 deploy done 👍', null, opts);
    expect(emoji).toHaveLength(1);
    expect(emoji[0].text).toBe('🔥🔥 deploy done 👍');
  });

  it('clamps an overlap that is not smaller than the window, and still moves forward', () => {
    const chunks = chunkMessage(words(50).join(' '), null, { maxTokens: 10, overlap: 50 });
    for (let k = 1; k < chunks.length; k++) expect(chunks[k].start).toBeGreaterThan(chunks[k - 1].start);
    expect(chunks.at(-1)!.text.endsWith('w50')).toBe(true);
    expect(chunkMessage(words(30).join(' '), null, { maxTokens: 10, overlap: 0 }).map((c) => c.tokens)).toEqual([10, 10, 10]);
  });
});

describe('chunkTextHash', () => {
  it('is the same for texts that differ only in whitespace or compatibility forms, and differs otherwise', () => {
    expect(chunkTextHash('Export  to\nCSV ')).toBe(chunkTextHash('Export to CSV'));
    expect(chunkTextHash('ﬁle export')).toBe(chunkTextHash('file export'));
    expect(chunkTextHash('Export to CSV')).not.toBe(chunkTextHash('Export to PDF'));
    expect(chunkTextHash('Export to CSV')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives identical chunks of different messages the same hash (so they are embedded once)', () => {
    const a = chunkMessage('Thanks, that fixed it!', null, opts);
    const b = chunkMessage('\nThanks,  that fixed it!\n', null, opts);
    expect(a[0].hash).toBe(b[0].hash);
  });
});

describe('chunkMessage on pathological content (issue 11: no input stalls the event loop)', () => {
  const opts = { maxTokens: 200, overlap: 40 };
  it.each([
    ['runs of spaces and line breaks', (n: number) => `a${' \n\t'.repeat(n / 3)}b`],
    ['one huge token', (n: number) => 'x'.repeat(n)],
    ['a word of apostrophes', (n: number) => "a'".repeat(n / 2)],
    ['unclosed markup', (n: number) => '<a'.repeat(n / 2)],
    ['unspaced script', (n: number) => '漢'.repeat(n)],
    ['sentence ends only', (n: number) => '. '.repeat(n / 2)],
    ['paragraphs', (n: number) => 'The export to CSV crashes. Can you look at it?\n\n'.repeat(n / 48)],
  ])('%s: linear (256k -> 1M characters)', async (_name, make) => {
    await expectLinear((text: string) => chunkMessage(text, 'A title', opts), make, { n: 256 * 1024 });
  });

  it('chunks 8 million characters of "a\'a\'..." (an unbounded regex repetition overflowed the regexp stack: RangeError)', () => {
    const chunks = chunkMessage("a'".repeat(4_000_000), null, opts);
    expect(chunks.length).toBeGreaterThan(1000);
    expect(chunks.every((c) => c.tokens <= opts.maxTokens)).toBe(true);
  });
});

