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
 * The analysis run figure (issue 14): a run of the built-in engine over a window of N messages
 * (default 50,000) through the real API and the run saga: planning, batches, the offline task
 * detector, proposals stored with the no-duplicate checks. Measured from POST /analysis/runs to
 * the run's `completed`: messages/s end to end, the time until the first proposal can be read for
 * review, and peak RSS during the run. The messages are imported first (not measured) and noise
 * scoring is waited for, so the prefilter reads real classifications. Each case runs in a child
 * process of its own (its RSS is that case's alone).
 *
 * env: BENCH_ANALYSIS_MESSAGES (default 50000; smoke 2000).
 */

const TARGET = '>= 2000 messages/s on pg, first proposal reviewable < 5 s (issue 14)';
const PASSWORD = 'correct horse battery staple';
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
const label = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

// A realistic mix, varied enough that noise scoring does not take it for repeats (the same words
// by the same author within 7 days are noise): most messages hold no task (reports, questions,
// opinions, chatter); about a third commit, assign or request.
const THINGS = ['CSV export', 'billing page', 'login flow', 'weekly digest', 'onboarding guide', 'pricing table', 'API docs', 'release notes', 'search index', 'mobile build', 'invoice template', 'SSO setup', 'forecast sheet', 'renewal quote', 'staging cluster', 'error dashboard', 'data retention policy', 'Slack integration', 'customer survey', 'roadmap deck', 'support macros', 'status page', 'audit log', 'email templates', 'sales playbook'];
const VERBS = ['fix', 'update', 'review', 'ship', 'rewrite', 'test', 'deploy', 'document', 'clean up', 'migrate', 'draft', 'send'];
const WHEN = ['tomorrow', 'by Friday', 'today', 'before the demo', 'this week', 'by end of day', 'next Monday', 'before the release'];
const PROBLEMS = ['crashes on large files', 'shows stale numbers', 'times out for some users', 'looks off on mobile', 'has a typo in the header', 'returns a 500 after the upgrade', 'is slower than last week', 'confuses new customers'];
const OPINIONS = ['I think the', 'Honestly the', 'Not sure the', 'Maybe someday the', 'I like how the', 'Feels like the'];
const FIRST = ['Dana', 'Fox', 'Walter', 'Monica', 'John', 'Ana', 'Bob', 'Ines', 'Sam', 'Lee', 'Kim', 'Ravi', 'Mia', 'Omar', 'Zoe', 'Ivan', 'Yuki', 'Noor', 'Tom', 'Eva'];
const LAST = ['Scully', 'Mulder', 'Skinner', 'Reyes', 'Doggett', 'Souza', 'Mitchell', 'Costa', 'Kim', 'Okafor', 'Park', 'Rao', 'Weber', 'Haddad', 'Novak', 'Sato', 'Ali', 'Berg', 'Diaz', 'Laine', 'Moreau', 'Silva', 'Nagy', 'Olsen', 'Quinn'];

/** A small deterministic generator: the same file every run. */
function pick<T>(list: readonly T[], i: number, salt: number): T {
  const x = Math.imul(i ^ (salt * 0x9e3779b1), 0x85ebca6b) >>> 0;
  return list[((x ^ (x >>> 13)) >>> 0) % list.length];
}

function content(i: number): string {
  const thing = pick(THINGS, i, 1);
  const verb = pick(VERBS, i, 2);
  const when = pick(WHEN, i, 3);
  const who = pick(FIRST, i, 4).toLowerCase();
  switch (i % 10) {
    case 0: return `I'll ${verb} the ${thing} ${when}.`;
    case 1: return `@${who} can you ${verb} the ${thing} ${when}?`;
    case 2: return `Please ${verb} the ${thing} ${when}, the customer is waiting.`;
    case 3: return `The ${thing} ${pick(PROBLEMS, i, 5)} since the last release, ticket ${i}.`;
    case 4: return `Does anyone know why the ${thing} ${pick(PROBLEMS, i, 6)}?`;
    case 5: return `${pick(OPINIONS, i, 7)} ${thing} could use a refresh, no rush.`;
    case 6: return `Shipped the ${thing} changes to staging, build ${i} is green.`;
    case 7: return `Great call with the ${pick(LAST, i, 8)} team about the ${thing} and the ${pick(THINGS, i, 9)}.`;
    case 8: return `thanks ${who}, the ${thing} notes helped a lot`;
    default: return `FYI the ${thing} meeting moved to ${pick(WHEN, i, 10).replace('by ', '')}, agenda in the doc (${i}).`;
  }
}

function line(i: number): string {
  const first = pick(FIRST, i, 11);
  const last = pick(LAST, i, 12);
  return JSON.stringify({
    externalId: `analysis-${i}`,
    content: content(i),
    sentAt: new Date(Date.UTC(2026, 0, 1) + i * 15_000).toISOString(),
    author: { name: `${first} ${last}`, email: `${first}.${last}@example.com`.toLowerCase(), externalId: `${first}${last}`.toLowerCase() },
    channel: `channel-${i % 25}`,
    ...(i % 4 === 1 ? { threadId: `analysis-${i - 1}` } : {}),
  });
}

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

interface CaseSpec {
  kind: DatabaseBackendKind;
  databaseUrl?: string;
  dataDir?: string;
  messages: number;
}

interface CaseResult {
  messages: number;
  messagesAfterPrefilter: number;
  batches: number;
  proposals: number;
  seconds: number;
  firstProposalSeconds: number | null;
  /** Until the run was planned (its status left pending). */
  runningSeconds: number | null;
  peakRss: number;
  baselineRss: number;
  cpuSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const config = loadAppConfig({
    ...(spec.databaseUrl ? { DATABASE_URL: spec.databaseUrl } : {}),
    DATA_DIR: spec.dataDir ?? 'memory://',
    LOG_LEVEL: 'silent',
    RUN_JOBS: 'false',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  const app: NestExpressApplication = await createApp(config, { logger: false });
  try {
    await app.listen(0, '127.0.0.1');
    app.getHttpServer().requestTimeout = 0;
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const pool = app.get<Pool>(PG_POOL);
    const user = await api<{ accessToken: string }>(port, 'POST', '/api/v1/auth/signup', { email: `bench-${Date.now()}@example.com`, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' });
    const ws = await api<{ id: string }>(port, 'POST', '/api/v1/workspaces', { name: 'Bench' }, user.accessToken);
    log(`importing ${spec.messages} messages`);
    const imported = await postStream(port, `/api/v1/workspaces/${ws.id}/messages/import?sourceKind=api&sourceName=bench`, user.accessToken, Readable.from(ndjson(spec.messages)));
    if (imported.status !== 202 || imported.json.accepted !== spec.messages) throw new Error(`import answered ${imported.status}: ${JSON.stringify(imported.json).slice(0, 300)}`);
    // Noise scoring classifies what the prefilter reads (at most 5 minutes of waiting; what is left is read unclassified).
    const classify0 = Date.now();
    for (;;) {
      const r = await pool.query(`SELECT count(*)::int AS n FROM ingestion_messages_view WHERE workspace_id = $1 AND noise_classification IS NULL`, [ws.id]);
      if (r.rows[0].n === 0) break;
      if (Date.now() - classify0 > positiveInt('BENCH_ANALYSIS_CLASSIFY_WAIT_S', 300) * 1000) {
        const parked = await pool.query(`SELECT subscription, count(*)::int AS n, min(error) AS error FROM parked_events GROUP BY subscription`);
        log(`${r.rows[0].n} messages still unclassified after the wait; parked: ${JSON.stringify(parked.rows).slice(0, 500)}`);
        break;
      }
      await sleep(250);
    }
    // The other consumers (chunking, topics...) finish with the import first: the run is measured
    // alone. Idle: no consumer processed an event for 5 s (at most 5 minutes of waiting).
    const settle0 = Date.now();
    let last = '';
    let stableSince = Date.now();
    while (Date.now() - settle0 < 300_000) {
      const r = await pool.query(`SELECT coalesce(sum(events_processed), 0)::text AS processed FROM subscription_checkpoints`);
      if (r.rows[0].processed !== last) {
        last = r.rows[0].processed;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= 5000) break;
      await sleep(250);
    }
    // A large import defers the search index (knowledge's bulk embedding path) and builds it again
    // once every chunk is embedded: outside any event, so "idle" above does not see it. The run is
    // measured after it too, not beside a multi-core index build.
    const index0 = Date.now();
    while (Date.now() - index0 < 600_000) {
      const r = await pool.query(
        `SELECT coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('knowledge_rag_chunks_embedding_idx')), false) AS ready,
                EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'CREATE INDEX%' AND state = 'active') AS building`,
      );
      if (r.rows[0].ready && !r.rows[0].building) break;
      await sleep(500);
    }
    log(`messages classified, consumers idle after ${round((Date.now() - settle0) / 1000, 1)} s (search index ready after ${round((Date.now() - index0) / 1000, 1)} s); starting the run`);

    global.gc?.();
    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
    let firstProposalSeconds: number | null = null;
    let runningSeconds: number | null = null;
    let run: any;
    try {
      run = await api<{ id: string }>(port, 'POST', `/api/v1/workspaces/${ws.id}/analysis/runs`, { windowStart: '2026-01-01T00:00:00Z', windowEnd: '2027-01-01T00:00:00Z' }, user.accessToken);
      for (;;) {
        if (firstProposalSeconds === null) {
          // Reviewable: listed by the proposals route a reviewer uses.
          const page = await api<{ items: unknown[] }>(port, 'GET', `/api/v1/workspaces/${ws.id}/analysis/proposals?runId=${run.id}&limit=1`, undefined, user.accessToken);
          if (page.items.length) firstProposalSeconds = elapsed();
        }
        run = await api<any>(port, 'GET', `/api/v1/workspaces/${ws.id}/analysis/runs/${run.id}`, undefined, user.accessToken);
        if (runningSeconds === null && run.status !== 'pending') runningSeconds = elapsed();
        if (['completed', 'reviewed', 'failed', 'cancelled'].includes(run.status)) break;
        await sleep(firstProposalSeconds === null ? 20 : 100);
      }
    } finally {
      clearInterval(sampler);
    }
    const seconds = elapsed();
    const cpu = process.cpuUsage(cpu0);
    if (run.status !== 'completed' && run.status !== 'reviewed') throw new Error(`the run ended ${run.status}: ${JSON.stringify(run.errorLog).slice(0, 300)}`);
    return {
      messages: run.totalMessagesInWindow,
      messagesAfterPrefilter: run.messagesAfterPrefilter,
      batches: run.batchesCreated,
      proposals: run.proposalsTotal,
      seconds,
      firstProposalSeconds,
      runningSeconds,
      peakRss: Math.max(peakRss, process.memoryUsage().rss),
      baselineRss,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    await app.close();
  }
}

async function runInChild(kind: DatabaseBackendKind, messages: number): Promise<CaseResult> {
  const backend = kind === 'pg' ? await openBackend('pg') : undefined;
  const dataDir = kind === 'embedded' ? mkdtempSync(join(tmpdir(), 'bench-analysis-')) : undefined;
  try {
    const spec: CaseSpec = { kind, messages, dataDir, databaseUrl: backend ? ((backend.pool as any).options.connectionString as string) : undefined };
    return await runCaseInChild<CaseResult>(__filename, 'BENCH_ANALYSIS_CASE', spec);
  } finally {
    await backend?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_ANALYSIS_CASE && require.main === module) {
  answerParent(runCase(JSON.parse(process.env.BENCH_ANALYSIS_CASE) as CaseSpec));
}

export const analysisRunBench: Bench = {
  name: 'analysis-run',
  async run({ smoke }: BenchOptions) {
    const messages = positiveInt('BENCH_ANALYSIS_MESSAGES', smoke ? 2_000 : 50_000);
    for (const kind of selectedBackends()) {
      log(`analysis-run ${kind}: ${messages} messages, built-in engine`);
      const out = await runInChild(kind, messages);
      const common = { backend: kind, messages: out.messages, messages_after_prefilter: out.messagesAfterPrefilter, batches: out.batches, proposals: out.proposals, target: TARGET, smoke };
      emit({ bench: 'analysis-run', case: `builtin-run-${label(messages)}`, value: round(out.messages / out.seconds, 1), unit: 'messages/s', seconds: round(out.seconds, 2), app_cpu_s: round(out.cpuSeconds, 2), ...common });
      emit({ bench: 'analysis-run', case: `first-proposal-reviewable-${label(messages)}`, value: out.firstProposalSeconds === null ? null : round(out.firstProposalSeconds, 3), unit: 's', planned_after_s: out.runningSeconds === null ? null : round(out.runningSeconds, 3), ...common });
      emit({ bench: 'analysis-run', case: `peak-rss-${label(messages)}`, value: mb(out.peakRss), unit: 'MB', baseline_rss_mb: mb(out.baselineRss), ...common });
    }
  },
};
