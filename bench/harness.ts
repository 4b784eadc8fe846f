import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { EmbeddedPostgres } from '@libs/database/embedded/embedded-postgres';
import { runMigrations } from '@libs/database/run-migrations';
import { DatabaseBackendKind } from '@libs/database/database-backend';
import { allMigrations } from '@migrations/index';

/**
 * Shared plumbing for the benchmarks. stdout carries ONLY the JSON result lines (one object per
 * line) so it can be piped straight into a file or `jq`; everything human goes to stderr.
 */

export interface BenchOptions {
  /** A few hundred events per case: proves the bench runs, the numbers mean nothing. */
  smoke: boolean;
}

export interface Bench {
  name: string;
  run(options: BenchOptions): Promise<void>;
}

export function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A positive integer from the environment variable `name`, or `fallback` when it is unset. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Events per measured case: BENCH_EVENTS wins, in smoke mode too (explicit beats implicit). */
export function eventsPerCase(smoke: boolean): number {
  return positiveInt('BENCH_EVENTS', smoke ? 300 : 20_000);
}

// ---------------------------------------------------------------------------------------------
// Backends

export interface BenchBackend {
  kind: DatabaseBackendKind;
  pool: Pool;
  poolMax: number;
  /** Passed to PostgresEventStore; the raw baselines follow it too so both sides are equal. */
  namedStatements: boolean;
  close(): Promise<void>;
}

/** pg only when BENCH_DATABASE_URL is set (a real server cannot be guessed); BENCH_BACKENDS narrows. */
export function selectedBackends(): DatabaseBackendKind[] {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  let kinds: DatabaseBackendKind[] = serverUrl ? ['pg', 'embedded'] : ['embedded'];
  const only = process.env.BENCH_BACKENDS;
  if (only) {
    const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
    for (const w of wanted) {
      if (w !== 'pg' && w !== 'embedded') throw new Error(`BENCH_BACKENDS: unknown backend "${w}" (pg, embedded)`);
    }
    if (wanted.includes('pg') && !serverUrl) throw new Error('BENCH_BACKENDS includes pg but BENCH_DATABASE_URL is not set');
    kinds = kinds.filter((k) => wanted.includes(k));
  }
  if (!serverUrl) log('BENCH_DATABASE_URL is not set: running on the embedded backend only');
  return kinds;
}

// Cleanups of whatever is open right now, so Ctrl-C does not leave a bench_* database behind.
const openCleanups = new Set<() => Promise<void>>();
let signalsHooked = false;

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void Promise.allSettled([...openCleanups].map((c) => c())).finally(() => process.exit(130));
    });
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

export async function openBackend(kind: DatabaseBackendKind): Promise<BenchBackend> {
  hookSignals();
  return kind === 'pg' ? openServerBackend(process.env.BENCH_DATABASE_URL!) : openEmbeddedBackend();
}

/**
 * A fresh database per run on the given server: numbers must not depend on whatever an earlier
 * run (or the application) left in the tables, and dropping it leaves the server as it was.
 */
async function openServerBackend(serverUrl: string): Promise<BenchBackend> {
  const name = `bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const drop = () => withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  let pool: Pool | undefined;
  const close = once(async () => {
    openCleanups.delete(close);
    try {
      await pool?.end();
    } finally {
      await drop();
      log(`dropped database ${name}`);
    }
  });
  openCleanups.add(close);
  try {
    const url = withDatabase(serverUrl, name);
    log(`created database ${name}; migrating`);
    await runMigrations(url, allMigrations);
    // 16 connections: one per writer of the c16 cases, so writers never queue for a connection.
    const poolMax = 16;
    pool = new Pool({ connectionString: url, max: poolMax });
    pool.on('error', (err) => log(`pool error: ${err.message}`));
    return { kind: 'pg', pool, poolMax, namedStatements: true, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function openEmbeddedBackend(): Promise<BenchBackend> {
  log('starting embedded PostgreSQL (in memory); migrating');
  const embedded = await EmbeddedPostgres.start({ dataDir: 'memory://' });
  let pool: Pool | undefined;
  const close = once(async () => {
    openCleanups.delete(close);
    try {
      await pool?.end();
    } finally {
      await embedded.stop();
    }
  });
  openCleanups.add(close);
  try {
    await runMigrations(embedded.url, allMigrations);
    // One connection and no named statements, as the application runs it: pglite-socket mixes up
    // extended-protocol messages of concurrent connections, and all connections share PGlite's
    // single backend (and so one prepared-statement namespace) anyway.
    const poolMax = 1;
    pool = new Pool({ connectionString: embedded.url, max: poolMax });
    pool.on('error', (err) => log(`pool error: ${err.message}`));
    return { kind: 'embedded', pool, poolMax, namedStatements: false, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function withAdmin<T>(serverUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// Measurement

export interface WorkerRun {
  seconds: number;
  /** Per unit of work, in milliseconds, sorted ascending. */
  latenciesMs: Float64Array;
}

/**
 * `concurrency` async writers pull unit numbers from one shared counter until `units` are done.
 * A shared counter (rather than units/concurrency each) keeps every writer busy to the very end,
 * so the tail of the run is not one straggler measuring its own latency.
 */
export async function runWorkers(
  concurrency: number,
  units: number,
  work: (unit: number, worker: number) => Promise<void>,
): Promise<WorkerRun> {
  const latencies = new Float64Array(units);
  let next = 0;
  const worker = async (w: number): Promise<void> => {
    for (let unit = next++; unit < units; unit = next++) {
      const t0 = process.hrtime.bigint();
      await work(unit, w);
      latencies[unit] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, latenciesMs: latencies.sort() };
}

export function percentile(sortedMs: Float64Array, p: number): number {
  if (sortedMs.length === 0) return 0;
  const i = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, i)];
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * A bench case in a child process of its own (its RSS is that case's alone): `file` is forked
 * with `spec` in the environment variable `envName` and answers once through `answerParent`.
 */
export function runCaseInChild<T>(file: string, envName: string, spec: unknown, extraExecArgv: string[] = []): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(file, [], {
      execArgv: [...process.execArgv.filter((a) => !a.startsWith('--expose-gc')), '--expose-gc', ...extraExecArgv],
      env: { ...process.env, [envName]: JSON.stringify(spec) },
      // stdout is the parent's result stream: nothing of the child's may land there.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let result: T | undefined;
    child.on('message', (m: { result?: T; error?: string }) => {
      if (m.error) reject(new Error(m.error));
      result = m.result;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`case process exited with ${code} and no result`))));
  });
}

/** The child's side of runCaseInChild: the case's result or error, then exit. */
export function answerParent(work: Promise<unknown>): void {
  // With a callback: a parent that already went away is not an unhandled 'error' in this child.
  work
    .then((result) => process.send!({ result }, undefined, {}, () => undefined))
    .catch((err: unknown) => process.send!({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, undefined, {}, () => undefined))
    .finally(() => {
      process.disconnect?.();
      setTimeout(() => process.exit(0), 2_000).unref();
    });
}
