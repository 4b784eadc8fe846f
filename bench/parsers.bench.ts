import { Readable } from 'node:stream';
import { emailItem, htmlToPlainText } from '@modules/ingestion/application/import-files/email.reader';
import { slackText } from '@modules/ingestion/application/import-files/slack-export.reader';
import { csvRows, ndjsonRows } from '@modules/ingestion/application/import-messages/import-formats';
import { validateIncoming } from '@modules/ingestion/domain/message/incoming-message';
import { scoreNoise } from '@modules/ingestion/domain/noise/noise-scorer';
import { WinkTokenizer } from '@modules/ingestion/infrastructure/wink-tokenizer';
import { chunkMessage } from '@modules/knowledge/domain/chunking/message-chunker';
import { Bench, BenchOptions, emit, log, round } from './harness';

/**
 * Issue 11 (no input stalls the event loop): every text parser on normal and pathological input
 * (unclosed tags and comments, deep nesting, runs of spaces, huge single tokens...) at 64 KiB,
 * 1 MiB and 8 MiB (smoke: 8, 32 and 128 KiB), in milliseconds per MiB; each size is run as often
 * as it takes to read as much text as the largest. A linear parser keeps its ms/MB flat as the
 * input grows; a quadratic one multiplies it by the size ratio (128 from 64 KiB to 8 MiB). One
 * line per case, then one per parser with the worst ratio of ms/MB between the largest and the
 * smallest size over its inputs (`linear` when at most LINEAR_RATIO).
 *
 * Parsers that cut their input first (the email HTML at IMPORT_HTML_MAX_CHARS, the noise scorer
 * at 10,000 characters) get cheaper per MB as inputs grow: that is the cut working.
 * No database: the backend is "embedded" only because every result line names one.
 */

const KB = 1024;
const MB = 1024 * KB;
/**
 * ms/MB at the largest size over ms/MB at the smallest (128 times smaller): quadratic work
 * multiplies it by ~128, linear work leaves it near 1. Parsers that allocate a piece per tag or
 * match (HTML text, Slack markup) pay the garbage collector's old generation from ~1 MiB on: up to
 * ~7x between 64 KiB and 1 MiB, then flat (see `ratio_vs_middle`, 8 MiB against 1 MiB).
 */
const LINEAR_RATIO = 8;

type Run = (input: string) => unknown;
interface Parser {
  name: string;
  /** The parser's work on one input (awaited). */
  run: Run;
  inputs: Record<string, (bytes: number) => string>;
}

/** `unit` repeated up to about `bytes` characters. */
const fill = (unit: string, bytes: number) => unit.repeat(Math.max(1, Math.floor(bytes / unit.length)));
const drain = async (rows: AsyncIterable<unknown>) => {
  let n = 0;
  for await (const _ of rows) n++;
  return n;
};
/** A stream of 64 KiB chunks, as a request body or a file arrives. */
const body = (text: string) => {
  const buf = Buffer.from(text);
  return Readable.from(Array.from({ length: Math.ceil(buf.length / (64 * KB)) }, (_, i) => buf.subarray(i * 64 * KB, (i + 1) * 64 * KB)));
};
const eml = (type: string, content: string) => `From: Dana <dana@acme.example>\r\nTo: fox@acme.example\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <b@acme.example>\r\nSubject: Bench\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: ${type}\r\n\r\n${content}\r\n--b--\r\n`;
const NEWSLETTER = '<div class="row"><h2>Release notes</h2><p>Hello&nbsp;Dana, the <b>CSV export</b> is <a href="https://x.example/?a=1&amp;b=2">fixed</a> &mdash; see below.</p><ul><li>SSO</li><li>Audit &amp; logs</li></ul><!-- tracking --><br></div>\n';
const TEXT = 'When I click export on the reports page the app crashes with a 500 error. Can you take a look?\n\n';
const noLimits = { maxLineBytes: 64 * MB, maxBodyBytes: Infinity };

function parsers(): Parser[] {
  const users = new Map([['U1', { name: 'Dana Scully', email: null }]]);
  const tokenizer = new WinkTokenizer();
  const person = { author: { name: 'Dana Scully', email: 'dana@acme.example' }, metadata: {} };
  return [
    {
      name: 'email-html',
      run: htmlToPlainText,
      inputs: {
        normal: (n) => fill(NEWSLETTER, n),
        'unclosed-tags': (n) => fill('<a', n),
        'unclosed-comments': (n) => fill('<!--', n),
        'unclosed-script': (n) => fill('<script>', n),
        'deep-nesting': (n) => fill('<div>', n),
        'mismatched-tags': (n) => fill('<div>', n / 2) + fill('</span>', n / 2),
        spaces: (n) => `<p>a${' '.repeat(n)}b</p>`,
      },
    },
    {
      // The whole .eml through mailparser: the HTML is cut at IMPORT_HTML_MAX_CHARS (1,000,000) before it is read.
      name: 'email',
      run: (source) => emailItem(Buffer.from(source)),
      inputs: {
        'normal-html': (n) => eml('text/html', fill(NEWSLETTER, n)),
        'unclosed-tags': (n) => eml('text/html', fill('<a', n)),
        'normal-text': (n) => eml('text/plain', fill(TEXT, n)),
        'text-spaces': (n) => eml('text/plain', `a${' '.repeat(n)}b`),
      },
    },
    {
      name: 'ndjson',
      run: (text) => drain(ndjsonRows(body(text), noLimits)),
      inputs: {
        normal: (n) => fill(`${JSON.stringify({ externalId: 'm-1', content: TEXT.trim(), sentAt: '2026-03-01T10:00:00Z', author: { name: 'Dana' } })}\n`, n),
        'one-line': (n) => `{"content":"${'a'.repeat(n)}"}`,
        'blank-lines': (n) => '\n'.repeat(n),
      },
    },
    {
      name: 'csv',
      run: (text) => drain(csvRows(body(text), {}, noLimits)),
      inputs: {
        normal: (n) => `id,content,sentAt\n${fill('m-1,"Hello, the CSV export crashes again",2026-03-01T10:00:00Z\n', n)}`,
        'long-quoted-field': (n) => `id,content\n1,"${fill('a""', n)}"\n`,
        spaces: (n) => `id,content\n1,${' '.repeat(n)}x\n`,
        commas: (n) => `id,content\n${','.repeat(n)}\n`,
      },
    },
    {
      name: 'slack-text',
      run: (text) => slackText(text, users, new Map()),
      inputs: {
        normal: (n) => fill('Thanks <@U1>, see <https://x.example|the spec> in <#C1|general> &amp; ship it\n', n),
        'unclosed-brackets': (n) => fill('<@U1', n),
      },
    },
    {
      name: 'chunker',
      run: (text) => chunkMessage(text, 'A title', { maxTokens: 200, overlap: 40 }),
      inputs: {
        normal: (n) => fill(TEXT, n),
        'one-token': (n) => 'x'.repeat(n),
        apostrophes: (n) => fill("a'", n),
        'unclosed-tags': (n) => fill('<a', n),
        spaces: (n) => `a${' \n\t'.repeat(n / 3)}b`,
      },
    },
    {
      name: 'address-check',
      run: (to) => validateIncoming({ externalId: 'x', content: 'c', sentAt: '2026-03-01', to: [to] }),
      inputs: {
        normal: (n) => Array.from({ length: Math.max(1, Math.floor(n / 24)) }, (_, i) => `u${i}@acme.example`).join(', '),
        brackets: (n) => `${'<'.repeat(n)}>`,
        dots: (n) => `a@${fill('b.', n)}@`,
      },
    },
    {
      // Scores the first 10,000 characters (MAX_TOKENIZED_CHARS), runs without spaces cut to 100.
      name: 'noise-scorer',
      run: (text) => scoreNoise(person, tokenizer.tokenize(text), () => false),
      inputs: {
        normal: (n) => fill(TEXT, n),
        'one-token': (n) => 'a'.repeat(n),
        dots: (n) => fill('a.', n),
      },
    },
  ];
}

/**
 * Milliseconds per run of `input`, measured over batches of `runs` runs (the same amount of text
 * at every size, so garbage collection weighs on small and large inputs alike): the best batch
 * of up to three, stopping after one that took over a second.
 */
async function timeMs(run: Run, input: string, runs: number): Promise<number> {
  let best = Infinity;
  for (let batch = 0; batch < 3; batch++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await run(input);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    best = Math.min(best, ms / runs);
    if (ms > 1000) break;
  }
  return best;
}

const sizeLabel = (bytes: number) => (bytes >= MB ? `${bytes / MB}mb` : `${bytes / KB}kb`);

export const parsersBench: Bench = {
  name: 'parsers',
  async run({ smoke }: BenchOptions) {
    const sizes = smoke ? [8 * KB, 32 * KB, 128 * KB] : [64 * KB, MB, 8 * MB];
    for (const parser of parsers()) {
      await parser.run('warm up <p>x</p>');
      const ratios: Record<string, number> = {};
      const vsMiddle: Record<string, number> = {};
      for (const [inputName, make] of Object.entries(parser.inputs)) {
        const perMb: number[] = [];
        for (const size of sizes) {
          const input = make(size);
          const ms = await timeMs(parser.run, input, Math.max(1, Math.round(sizes[sizes.length - 1] / size)));
          const value = ms / (input.length / MB);
          perMb.push(value);
          emit({ bench: 'parsers', case: `${parser.name}-${inputName}-${sizeLabel(size)}`, backend: 'embedded', value: round(value, 2), unit: 'ms/MB', ms: round(ms, 3), chars: input.length, smoke });
        }
        ratios[inputName] = round(perMb[perMb.length - 1] / perMb[0], 2);
        vsMiddle[inputName] = round(perMb[perMb.length - 1] / perMb[1], 2);
        log(`${parser.name} ${inputName}: ${perMb.map((v) => v.toFixed(1)).join(' / ')} ms/MB`);
      }
      const worst = Math.max(...Object.values(ratios));
      emit({
        bench: 'parsers',
        case: `${parser.name}-growth`,
        backend: 'embedded',
        value: worst,
        unit: `ms/MB ratio ${sizeLabel(sizes[sizes.length - 1])} vs ${sizeLabel(sizes[0])}`,
        linear: worst <= LINEAR_RATIO,
        ratios,
        ratio_vs_middle: vsMiddle,
        threshold: LINEAR_RATIO,
        smoke,
      });
    }
  },
};
