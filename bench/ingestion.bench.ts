import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { createApp } from '@app/bootstrap';
import { loadAppConfig } from '@app/config/app-config';
import { DatabaseBackendKind, PG_POOL } from '@libs/database/database-backend';
import { api, postStream } from './bench-http';
import { answerParent, Bench, BenchOptions, emit, log, openBackend, positiveInt, round, runCaseInChild, selectedBackends } from './harness';

/**
 * The ingestion figure (issue 6): an NDJSON import streamed through the real HTTP API into a
 * fresh database, end to end (validation, personal data sealed, one `appendNewStreams` statement
 * per batch, the inline messages read model, the job's events). The body is generated lazily, so
 * the bench holds one chunk of it at a time; RSS is sampled every 50 ms during the import. A
 * second, smaller import shows RSS does not grow with the file. With RUN_SUBSCRIPTIONS on, the
 * durable consumers (noise scoring among them) run beside the import: reported as its own case,
 * with the time until every message is classified. Each case runs in a child process of its own,
 * so its RSS is that case's alone (the embedded database lives in the process, too).
 *
 * env: BENCH_INGESTION_MESSAGES (default 200000; smoke 2000), BENCH_INGESTION_SMALL (default
 * 50000; smoke 500), BENCH_INGESTION_SUBSCRIPTIONS=off|on|both (default both),
 * BENCH_INGESTION_MAX_OLD_SPACE_MB (unset: V8's default): the deployment knob that caps the
 * garbage V8 lets pile up before a full GC (most of the peak RSS); the line names it when set.
 */

const TARGET = '>= 6000 messages/s, peak RSS < 250 MB (issue 13)';
const PASSWORD = 'correct horse battery staple';

const label = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

// ---------------------------------------------------------------------------------------------
// The generated file: a realistic mix (questions, bug reports, requests, chatter, bots, links).

const OPENERS = ['Hi team,', 'Hey', 'Quick question:', 'FYI', '', '', '', 'Morning!'];
const BODIES = [
  (i: number) => `When I export report ${i % 97} to CSV the app crashes with a 500 error after the latest release. Can you take a look?`,
  (i: number) => `Customer ${i % 311} asked whether we support SSO with Okta and SCIM provisioning for their 40 seats.`,
  (i: number) => `Is there a way to schedule the weekly digest for account ${i % 53}? They need it before the Monday standup.`,
  () => 'thanks!',
  () => 'ok 👍',
  (i: number) => `Deployed build ${i} to production, all checks green.`,
  (i: number) => `https://github.com/acme/app/pull/${i % 5000}`,
  (i: number) => `The onboarding call with team ${i % 211} went well; they want a follow-up on pricing and the Salesforce integration next week.`,
  (i: number) => `Login via Google fails for user ${i % 1000} with "invalid token" since this morning, clearing cookies does not help.`,
  (i: number) => `We closed the renewal for region ${i % 7}; please update the forecast sheet and let finance know.`,
];
const NAMES = ['Dana Scully', 'Fox Mulder', 'Walter Skinner', 'Monica Reyes', 'John Doggett', 'Deploy Bot'];

function line(i: number): string {
  const author = i % 500;
  const body = BODIES[i % BODIES.length](i);
  const opener = OPENERS[(i >> 3) % OPENERS.length];
  return JSON.stringify({
    externalId: `bench-${i}`,
    content: opener ? `${opener} ${body}` : body,
    sentAt: new Date(Date.UTC(2026, 0, 1) + i * 15_000).toISOString(),
    author: { name: `${NAMES[author % NAMES.length]} ${author}`, email: `user${author}@example.com`, externalId: `U${author}` },
    channel: `channel-${i % 25}`,
    ...(i % 10 === 5 ? { metadata: { subtype: 'bot_message', bot_id: 'B1' } } : {}),
    ...(i % 4 === 1 ? { threadId: `bench-${i - 1}` } : {}),
  });
}

/** The NDJSON body in ~64 KB chunks, made as it is sent: never the whole file in memory. */
function* ndjson(messages: number): Generator<string> {
  let chunk = '';
  for (let i = 0; i < messages; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

// ---------------------------------------------------------------------------------------------
// One case: a fresh database, a child process with the app, one import

interface CaseSpec {
  kind: DatabaseBackendKind;
  databaseUrl?: string;
  /** Embedded: the data directory, on disk as deployed (in memory, the data itself would count as RSS). */
  dataDir?: string;
  messages: number;
  subscriptions: boolean;
}

interface CaseResult {
  messages: number;
  seconds: number;
  peakRss: number;
  baselineRss: number;
  /** CPU time of this process (app and HTTP client) during the import. */
  cpuSeconds: number;
  /** Heap still in use after a full GC once the import is done: what the import left behind. */
  heapAfterGc: number;
  scoringSeconds?: number;
}

/** In the child: the app on the given database, listening on a free port; one import through HTTP. */
async function importCase(spec: CaseSpec): Promise<CaseResult> {
  const { databaseUrl, messages, subscriptions } = spec;
  const config = loadAppConfig({
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), // else the app's own embedded PostgreSQL (PGlite)
    DATA_DIR: spec.dataDir ?? 'memory://',
    LOG_LEVEL: 'silent',
    RUN_JOBS: 'false',
    RUN_SUBSCRIPTIONS: subscriptions ? 'true' : 'false',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  const app: NestExpressApplication = await createApp(config, { logger: false });
  try {
    await app.listen(0, '127.0.0.1');
    // A 200k import on the embedded database may take longer than Node's default 5 min request timeout.
    app.getHttpServer().requestTimeout = 0;
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const user = await api<{ accessToken: string }>(port, 'POST', '/api/v1/auth/signup', { email: `bench-${Date.now()}@example.com`, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    const ws = await api<{ id: string }>(port, 'POST', '/api/v1/workspaces', { name: 'Bench' }, user.accessToken);

    global.gc?.();
    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    const trace = process.env.BENCH_INGESTION_TRACE === '1';
    let ticks = 0;
    const sampler = setInterval(() => {
      const rss = process.memoryUsage().rss;
      if (rss > peakRss) peakRss = rss;
      // BENCH_INGESTION_TRACE=1: memory once a second on stderr, to see where it goes.
      if (trace && ++ticks % 20 === 0) {
        const m = process.memoryUsage();
        log(`t=${ticks / 20}s rss=${mb(m.rss)} heapUsed=${mb(m.heapUsed)} heapTotal=${mb(m.heapTotal)} external=${mb(m.external)} arrayBuffers=${mb(m.arrayBuffers)}`);
      }
    }, 50);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let res: { status: number; json: any };
    try {
      res = await postStream(port, `/api/v1/workspaces/${ws.id}/messages/import?sourceKind=api&sourceName=bench`, user.accessToken, Readable.from(ndjson(messages)));
    } finally {
      clearInterval(sampler);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (res.status !== 202 || res.json.accepted !== messages) throw new Error(`import answered ${res.status}: ${JSON.stringify(res.json).slice(0, 500)}`);

    let scoringSeconds: number | undefined;
    if (subscriptions) {
      // Until every message carries a classification (noise scoring caught up).
      const pool = app.get<Pool>(PG_POOL);
      for (;;) {
        const r = await pool.query(`SELECT count(*)::int AS n FROM ingestion_messages_view WHERE workspace_id = $1 AND noise_classification IS NOT NULL`, [ws.id]);
        if (r.rows[0].n >= messages) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      scoringSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    global.gc?.();
    const heapAfterGc = process.memoryUsage().heapUsed;
    return { messages, seconds, peakRss, baselineRss, cpuSeconds: (cpu.user + cpu.system) / 1e6, heapAfterGc, scoringSeconds };
  } finally {
    await app.close();
  }
}

/** In the parent: a fresh database (pg) and a child process for the case. */
async function runCase(kind: DatabaseBackendKind, messages: number, subscriptions: boolean): Promise<CaseResult> {
  const backend = kind === 'pg' ? await openBackend('pg') : undefined;
  const dataDir = kind === 'embedded' ? mkdtempSync(join(tmpdir(), 'bench-ingestion-')) : undefined;
  try {
    const spec: CaseSpec = { kind, messages, subscriptions, dataDir, databaseUrl: backend ? ((backend.pool as any).options.connectionString as string) : undefined };
    return await runCaseInChild<CaseResult>(__filename, 'BENCH_INGESTION_CASE', spec, nodeFlags());
  } finally {
    await backend?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** V8 flags for the case's process (a deployment choice, reported with the figures). */
function nodeFlags(): string[] {
  const mb = positiveInt('BENCH_INGESTION_MAX_OLD_SPACE_MB', 0);
  return mb ? [`--max-old-space-size=${mb}`] : [];
}

if (process.env.BENCH_INGESTION_CASE && require.main === module) {
  const spec = JSON.parse(process.env.BENCH_INGESTION_CASE) as CaseSpec;
  answerParent(importCase(spec));
}

export const ingestionBench: Bench = {
  name: 'ingestion',
  async run({ smoke }: BenchOptions) {
    const large = positiveInt('BENCH_INGESTION_MESSAGES', smoke ? 2_000 : 200_000);
    const small = positiveInt('BENCH_INGESTION_SMALL', smoke ? 500 : 50_000);
    const mode = process.env.BENCH_INGESTION_SUBSCRIPTIONS ?? 'both';
    if (!['off', 'on', 'both'].includes(mode)) throw new Error(`BENCH_INGESTION_SUBSCRIPTIONS: off, on or both, got "${mode}"`);
    const runs: { messages: number; subscriptions: boolean }[] = [];
    if (mode !== 'on') runs.push({ messages: small, subscriptions: false }, { messages: large, subscriptions: false });
    if (mode !== 'off') runs.push({ messages: large, subscriptions: true });
    for (const kind of selectedBackends()) {
      for (const r of runs) {
        log(`ingestion ${kind}: importing ${r.messages} messages, subscriptions ${r.subscriptions ? 'on' : 'off'}`);
        const out = await runCase(kind, r.messages, r.subscriptions);
        emit({
          bench: 'ingestion',
          case: `ndjson-import-${label(r.messages)}${r.subscriptions ? '-subscriptions-on' : ''}`,
          backend: kind,
          value: round(out.messages / out.seconds, 1),
          unit: 'messages/s',
          peak_rss_mb: mb(out.peakRss),
          baseline_rss_mb: mb(out.baselineRss),
          heap_after_gc_mb: mb(out.heapAfterGc),
          app_cpu_s: round(out.cpuSeconds, 2),
          messages: out.messages,
          seconds: round(out.seconds, 2),
          subscriptions: r.subscriptions,
          ...(nodeFlags().length ? { node_flags: nodeFlags().join(' ') } : {}),
          ...(out.scoringSeconds !== undefined ? { all_classified_after_s: round(out.scoringSeconds, 2), classified_per_s: round(out.messages / out.scoringSeconds, 1) } : {}),
          target: TARGET,
          smoke,
        });
      }
    }
  },
};
