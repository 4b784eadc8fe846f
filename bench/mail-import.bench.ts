import { createReadStream, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '@app/bootstrap';
import { loadAppConfig } from '@app/config/app-config';
import { DatabaseBackendKind } from '@libs/database/database-backend';
import { mboxRows } from '@modules/ingestion/application/import-files/email.reader';
import { readContext } from '@modules/ingestion/application/import-files/read-context';
import { api } from './bench-http';
import { probeImport } from './import-probes';
import { answerParent, Bench, BenchOptions, emit, log, openBackend, positiveInt, round, runCaseInChild, selectedBackends } from './harness';
import { MailCorpusStats, writeMailCorpus } from './mail-corpus';

/**
 * The mail-import figure (issue 12): a generated mbox of realistic mail (bench/mail-corpus.ts)
 * uploaded through the real API (POST /imports, multipart) into a fresh database, the import
 * followed on GET /jobs/:jobId until it completes; subscriptions off, so this is the import alone.
 * Beside it, with the SAME file, a parse-only baseline: the mbox read through `mboxRows` (every
 * message parsed and validated, nothing written) on one core. The import is judged against it:
 * the ratio says what the writing side costs on top of reading mail.
 *
 * Each case runs in a child process of its own (RSS sampled every 50 ms is that case's alone; the
 * embedded database lives in the process too). The import line carries a timing split measured
 * in the child by wrapping the writer and the job aggregate: the wall time with a batch write in
 * flight (write_busy_s) and the calls' own times (write_calls_s, append_calls_s: the event-store
 * statement; they add up to more than the wall time when writes overlap), job events, GC pauses,
 * and the time the runner waited for rows with nothing being written (waiting_for_rows_s: the
 * parser is behind). CPU is the whole process's, parse worker threads included.
 *
 * env: BENCH_MAIL_MESSAGES (default 20000; smoke 500), BENCH_MAIL_SEED, BENCH_MAIL_CPU_PROF=<dir>
 * (each child writes .cpuprofile files into <dir>/<case>/, one per thread, for Chrome DevTools).
 */

const TARGET = '>= 0.6x parse-only on pg, >= 0.3x on embedded, peak RSS < 300 MB';
const MIN_RATIO: Record<DatabaseBackendKind, number> = { pg: 0.6, embedded: 0.3 };
const MAX_RSS_MB = 300;
const PASSWORD = 'correct horse battery staple';

const label = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
const elapsedS = (t0: number) => (performance.now() - t0) / 1000;

// ---------------------------------------------------------------------------------------------
// Measurement helpers (in the child)

/** Peak RSS, sampled every 50 ms from now until stop(), with what made it up at that moment. */
function rssSampler(): { baseline: number; stop(): NodeJS.MemoryUsage } {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = process.memoryUsage();
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = m;
  };
  const timer = setInterval(sample, 50);
  return {
    baseline,
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** Where the peak RSS was: the V8 heap, or memory outside it (buffers, the embedded database). */
const atPeak = (m: NodeJS.MemoryUsage) => ({ heap_total_mb: mb(m.heapTotal), heap_used_mb: mb(m.heapUsed), external_mb: mb(m.external), array_buffers_mb: mb(m.arrayBuffers) });

/** Time spent in GC pauses from now until stop(). */
function gcTimer(): { stop(): number } {
  let ms = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) ms += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      obs.disconnect();
      return ms / 1000;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The cases

type CaseSpec =
  | { mode: 'parse'; path: string }
  | { mode: 'import'; path: string; kind: DatabaseBackendKind; databaseUrl?: string; dataDir?: string; pollMs: number };

interface ParseResult {
  rows: number;
  ok: number;
  rejected: number;
  seconds: number;
  cpuSeconds: number;
  gcSeconds: number;
  peak: NodeJS.MemoryUsage;
  baselineRss: number;
}

interface ImportResult {
  rows: number;
  stored: number;
  duplicates: number;
  rejected: number;
  status: string;
  /** POST start to job completed. */
  seconds: number;
  /** POST start to the 202: multer writing the upload to disk, the format sniff, the job's start. */
  uploadSeconds: number;
  /** 202 to the job's completion. */
  importSeconds: number;
  cpuSeconds: number;
  peak: NodeJS.MemoryUsage;
  baselineRss: number;
  heapAfterGc: number;
  split: {
    /** Wall time with a batch write in flight, and the sum of the writes' own times (more when they overlap). */
    writeBusySeconds: number;
    writeCallSeconds: number;
    appendCallSeconds: number;
    jobEventCallSeconds: number;
    /** Wall time with neither a write nor a job event in flight: the runner waiting for parsed rows. */
    waitingForRowsSeconds: number;
    gcSeconds: number;
    batches: number;
  };
}

/** In the child: the file through mboxRows, as the import reads it (same stream settings), nothing written. */
async function parseCase(path: string): Promise<ParseResult> {
  const ctx = readContext('bytes', statSync(path).size);
  const rss = rssSampler();
  const gc = gcTimer();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ok = 0;
  let rejected = 0;
  const input = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const row of mboxRows(input, ctx)) {
      if ('message' in row) ok++;
      else rejected++;
    }
  } finally {
    input.destroy();
  }
  const seconds = elapsedS(t0);
  const cpu = process.cpuUsage(cpu0);
  return { rows: ok + rejected, ok, rejected, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, gcSeconds: gc.stop(), peak: rss.stop(), baselineRss: rss.baseline };
}

interface JobView {
  status: string;
  counters: { fetched: number; stored: number; skipped: number; errors: number; batches: number };
  errors: unknown[];
}

/** In the child: the app on the given database, the mbox uploaded through POST /imports, the job followed to its end. */
async function importCase(spec: Extract<CaseSpec, { mode: 'import' }>): Promise<ImportResult> {
  const config = loadAppConfig({
    ...(spec.databaseUrl ? { DATABASE_URL: spec.databaseUrl } : {}), // else the app's own embedded PostgreSQL (PGlite)
    DATA_DIR: spec.dataDir ?? 'memory://',
    LOG_LEVEL: 'silent',
    RUN_JOBS: 'false',
    RUN_SUBSCRIPTIONS: 'false',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  const app: NestExpressApplication = await createApp(config, { logger: false });
  try {
    await app.listen(0, '127.0.0.1');
    app.getHttpServer().requestTimeout = 0;
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const user = await api<{ accessToken: string }>(port, 'POST', '/api/v1/auth/signup', { email: `bench-${Date.now()}@example.com`, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    const ws = await api<{ id: string }>(port, 'POST', '/api/v1/workspaces', { name: 'Bench' }, user.accessToken);

    // The split: wall time with a write or a job event in flight is the writing side's; the rest
    // of the import's time the runner waits for rows (parsed in this thread or in a worker).
    const { databaseSide, write, append, jobEvents, completedAt } = probeImport(app);

    const rss = rssSampler();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const form = new FormData();
    // A file-backed Blob: the upload streams from disk, the client holds no copy of the file.
    form.append('file', await openAsBlob(spec.path), 'archive.mbox');
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/workspaces/${ws.id}/imports`, { method: 'POST', headers: { authorization: `Bearer ${user.accessToken}` }, body: form });
    const answer = (await res.json()) as { jobId?: string };
    if (res.status !== 202 || !answer.jobId) throw new Error(`POST /imports answered ${res.status}: ${JSON.stringify(answer).slice(0, 500)}`);
    const accepted = performance.now();
    // Counted from the 202 on: the upload's own job start is not part of the import's events.
    const jobEventsBefore = jobEvents.callSeconds;
    const databaseBefore = databaseSide.busySeconds;
    const gc = gcTimer();

    let job: JobView;
    for (;;) {
      job = await api<JobView>(port, 'GET', `/api/v1/workspaces/${ws.id}/jobs/${answer.jobId}`, undefined, user.accessToken);
      if (job.status === 'completed' || job.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, spec.pollMs));
    }
    const end = completedAt() || performance.now();
    const gcSeconds = gc.stop();
    const cpu = process.cpuUsage(cpu0);
    const peak = rss.stop();
    if (job.status !== 'completed') throw new Error(`the import job ${job.status}: ${JSON.stringify(job.errors).slice(0, 500)}`);
    global.gc?.();
    return {
      rows: job.counters.fetched,
      stored: job.counters.stored,
      duplicates: job.counters.skipped,
      rejected: job.counters.errors,
      status: job.status,
      seconds: (end - t0) / 1000,
      uploadSeconds: (accepted - t0) / 1000,
      importSeconds: (end - accepted) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peak,
      baselineRss: rss.baseline,
      heapAfterGc: process.memoryUsage().heapUsed,
      split: {
        writeBusySeconds: write.busySeconds,
        writeCallSeconds: write.callSeconds,
        appendCallSeconds: append.callSeconds,
        jobEventCallSeconds: jobEvents.callSeconds - jobEventsBefore,
        waitingForRowsSeconds: (end - accepted) / 1000 - (databaseSide.busySeconds - databaseBefore),
        gcSeconds,
        batches: write.calls,
      },
    };
  } finally {
    await app.close();
  }
}

/** In the parent: a child process for the case (with its CPU profile when BENCH_MAIL_CPU_PROF names a directory). */
function runChild<T>(spec: CaseSpec, name: string): Promise<T> {
  const profDir = process.env.BENCH_MAIL_CPU_PROF;
  // One directory per case: worker threads write profiles of their own beside the main thread's.
  return runCaseInChild<T>(__filename, 'BENCH_MAIL_CASE', spec, profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, name)}`] : []);
}

async function runImport(kind: DatabaseBackendKind, path: string, smoke: boolean): Promise<ImportResult> {
  const backend = kind === 'pg' ? await openBackend('pg') : undefined;
  // Embedded: the data directory on disk as deployed (in memory, the data itself would count as RSS).
  const dataDir = kind === 'embedded' ? mkdtempSync(join(tmpdir(), 'bench-mail-db-')) : undefined;
  try {
    const databaseUrl = backend ? ((backend.pool as any).options.connectionString as string) : undefined;
    return await runChild<ImportResult>({ mode: 'import', path, kind, databaseUrl, dataDir, pollMs: smoke ? 50 : 200 }, `mail-import-${kind}`);
  } finally {
    await backend?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_MAIL_CASE && require.main === module) {
  const spec = JSON.parse(process.env.BENCH_MAIL_CASE) as CaseSpec;
  answerParent(spec.mode === 'parse' ? parseCase(spec.path) : importCase(spec));
}

function corpusSummary(stats: MailCorpusStats, seed: number) {
  return { file_mb: mb(stats.bytes), avg_message_kb: round(stats.bytes / stats.messages / 1024, 1), max_message_kb: round(stats.maxMessageBytes / 1024, 1), seed };
}

export const mailImportBench: Bench = {
  name: 'mail-import',
  async run({ smoke }: BenchOptions) {
    const messages = positiveInt('BENCH_MAIL_MESSAGES', smoke ? 500 : 20_000);
    const seed = positiveInt('BENCH_MAIL_SEED', 20240601);
    const backends = selectedBackends();
    const dir = mkdtempSync(join(tmpdir(), 'bench-mail-'));
    const path = join(dir, 'archive.mbox');
    try {
      const g0 = performance.now();
      const stats = writeMailCorpus(path, messages, seed);
      log(`mail-import: generated ${messages} messages, ${mb(stats.bytes)} MB in ${elapsedS(g0).toFixed(1)} s (${stats.senders} senders, ${stats.replies} replies, ${stats.attachments} with attachments, ${stats.mailingList} list mails, ${stats.repeatedMessageIds} repeated Message-IDs)`);
      log(`mail-import: kinds ${JSON.stringify(stats.kinds)} charsets ${JSON.stringify(stats.charsets)}`);
      const corpus = corpusSummary(stats, seed);
      const size = label(messages);
      for (const kind of backends) {
        // The baseline right before each import: the same file, the same machine load.
        log(`mail-import ${kind}: parse-only baseline`);
        const p = await runChild<ParseResult>({ mode: 'parse', path }, `mail-parse-only-${kind}`);
        const parseOnly = round(p.rows / p.seconds, 1);
        emit({
          bench: 'mail-import',
          case: `mbox-parse-only-${size}`,
          backend: kind,
          value: parseOnly,
          unit: 'messages/s',
          messages: p.rows,
          rejected: p.rejected,
          seconds: round(p.seconds, 2),
          cpu_s: round(p.cpuSeconds, 2),
          // On a loaded machine wall time varies a lot; CPU time much less.
          messages_per_cpu_s: round(p.rows / p.cpuSeconds, 1),
          gc_s: round(p.gcSeconds, 2),
          peak_rss_mb: mb(p.peak.rss),
          baseline_rss_mb: mb(p.baselineRss),
          at_peak: atPeak(p.peak),
          writes: false,
          load_avg_1m: round(loadavg()[0], 2),
          ...corpus,
          smoke,
        });

        log(`mail-import ${kind}: importing ${messages} messages through POST /imports`);
        const load = loadavg()[0];
        const r = await runImport(kind, path, smoke);
        if (r.rows !== messages || r.stored + r.duplicates + r.rejected !== r.rows) throw new Error(`the import counted ${r.rows} rows (${r.stored} stored, ${r.duplicates} duplicates, ${r.rejected} rejected) of ${messages} messages`);
        if (r.duplicates !== stats.repeatedMessageIds) log(`mail-import ${kind}: ${r.duplicates} duplicates, the file repeats ${stats.repeatedMessageIds} Message-IDs`);
        const value = round(r.rows / r.seconds, 1);
        const ratio = round(value / parseOnly, 3);
        const peakRssMb = mb(r.peak.rss);
        emit({
          bench: 'mail-import',
          case: `mbox-import-${size}`,
          backend: kind,
          value,
          unit: 'messages/s',
          messages: r.rows,
          stored: r.stored,
          duplicates: r.duplicates,
          expected_duplicates: stats.repeatedMessageIds,
          rejected: r.rejected,
          seconds: round(r.seconds, 2),
          upload_s: round(r.uploadSeconds, 2),
          import_s: round(r.importSeconds, 2),
          app_cpu_s: round(r.cpuSeconds, 2),
          app_messages_per_cpu_s: round(r.rows / r.cpuSeconds, 1),
          peak_rss_mb: peakRssMb,
          baseline_rss_mb: mb(r.baselineRss),
          at_peak: atPeak(r.peak),
          heap_after_gc_mb: mb(r.heapAfterGc),
          split: {
            waiting_for_rows_s: round(r.split.waitingForRowsSeconds, 2),
            write_busy_s: round(r.split.writeBusySeconds, 2),
            write_calls_s: round(r.split.writeCallSeconds, 2),
            append_calls_s: round(r.split.appendCallSeconds, 2),
            job_events_s: round(r.split.jobEventCallSeconds, 2),
            gc_s: round(r.split.gcSeconds, 2),
            batches: r.split.batches,
          },
          parseOnly,
          baseline: parseOnly,
          ratio,
          target: TARGET,
          met: ratio >= MIN_RATIO[kind] && peakRssMb < MAX_RSS_MB,
          load_avg_1m: round(load, 2),
          ...corpus,
          smoke,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
