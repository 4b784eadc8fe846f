import { analysisRunBench } from './analysis-run.bench';
import { appendBench } from './append.bench';
import { gmailSyncBench } from './gmail-sync.bench';
import { imapSyncBench } from './imap-sync.bench';
import { ingestionBench } from './ingestion.bench';
import { mailImportBench } from './mail-import.bench';
import { parsersBench } from './parsers.bench';
import { auditBench, projectionsBench } from './runtime.bench';
import { searchBench } from './search.bench';
import { webhooksBench } from './webhooks.bench';
import { Bench, log } from './harness';

/**
 * Benchmark dispatcher:
 *   node dist/bench/run.js <name>... [--smoke]   the named benches
 *   node dist/bench/run.js [--smoke]             every bench
 * stdout: one JSON object per result line, nothing else (progress goes to stderr).
 */

const BENCHES: Bench[] = [appendBench, projectionsBench, auditBench, ingestionBench, mailImportBench, webhooksBench, searchBench, parsersBench, imapSyncBench, gmailSyncBench, analysisRunBench];

function usage(): string {
  return `usage: node dist/bench/run.js [${BENCHES.map((b) => b.name).join('|')}]... [--smoke]
env: BENCH_DATABASE_URL (a PostgreSQL server; a fresh database is created and dropped on it),
     BENCH_BACKENDS=pg,embedded, BENCH_EVENTS (events per case)`;
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stderr.write(`${usage()}\n`);
    return 0;
  }
  const flags = args.filter((a) => a.startsWith('-'));
  const names = args.filter((a) => !a.startsWith('-'));
  const badFlags = flags.filter((f) => f !== '--smoke');
  const badNames = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (badFlags.length || badNames.length) {
    process.stderr.write(`unknown: ${[...badFlags, ...badNames].join(' ')}\n${usage()}\n`);
    return 2;
  }
  const smoke = flags.includes('--smoke');
  const selected = names.length ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;
  for (const bench of selected) {
    log(`${bench.name}${smoke ? ' (smoke)' : ''}`);
    await bench.run({ smoke });
  }
  return 0;
}

main(process.argv.slice(2))
  .catch((err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  })
  .then((code) => {
    process.exitCode = code;
    // Everything is closed by now; if a stray handle still holds the event loop, do not hang CI.
    setTimeout(() => {
      log('open handles kept the process alive; exiting anyway');
      process.exit(code);
    }, 5_000).unref();
  });
