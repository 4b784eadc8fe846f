import { v7 as uuidv7 } from 'uuid';
import { NewEvent, NO_STREAM } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { DEFAULT_CONFLICT_RETRIES, retryOnConflict, StreamTurns } from '@libs/eventsourcing/retry-on-conflict';
import {
  Bench,
  BenchBackend,
  BenchOptions,
  emit,
  eventsPerCase,
  log,
  openBackend,
  percentile,
  round,
  runWorkers,
  selectedBackends,
} from './harness';

/**
 * Append throughput of PostgresEventStore, and of the plain-`pg` way of writing the same rows,
 * on the same fresh database. The baseline is what the event store has to beat: if one
 * `es_append` round trip were not faster than BEGIN + two INSERTs + COMMIT, the plpgsql function
 * would be complexity for nothing.
 */

const STREAM_TYPE = 'bench';
const EVENT_TYPE = 'bench.thing-happened';
// A workspace on every row, as in the application, so workspace_id index entries are not all NULL.
const WORKSPACE_ID = '0191d2a0-0000-7000-8000-00000000be4c';
const HOT_STREAM_ID = 'hot-stream';

type Phase = 'warmup' | 'measure';

/** A realistic small payload; the same for the store and the baseline. */
function eventData(seq: number): Record<string, unknown> {
  return { seq, conversationId: 'c-0001', text: 'the customer asked about the renewal date', score: 0.87 };
}

function newEvents(count: number, seq: number): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({ type: EVENT_TYPE, data: eventData(seq * count + i) }));
}

interface PhaseRun {
  work(unit: number, worker: number): Promise<void>;
  /** Case-specific fields for the result line, read after the measured run. */
  extra?(): Record<string, unknown>;
}

interface Case {
  name: string;
  concurrency: number;
  eventsPerAppend: number;
  /** Once, before the warm-up. */
  setup?(): Promise<void>;
  /** Warm-up and measurement each get fresh state (and fresh stream ids where streams are new). */
  phase(phase: Phase): PhaseRun;
  /** More fields for the result line, from the line itself (ratios to other cases of the run). */
  summary?(line: CaseLine): Record<string, unknown>;
}

/** The result line's fields a summary reads. */
interface CaseLine {
  value: number;
  events: number;
  conflicts_retried: number;
}

function newStreamCase(store: PostgresEventStore, name: string, concurrency: number, eventsPerAppend: number): Case {
  return {
    name,
    concurrency,
    eventsPerAppend,
    phase: (phase) => ({
      work: async (unit) => {
        await store.append(`${name}-${phase}-${unit}`, newEvents(eventsPerAppend, unit), {
          streamType: STREAM_TYPE,
          expectedVersion: NO_STREAM,
          workspaceId: WORKSPACE_ID,
        });
      },
    }),
  };
}

/**
 * Every writer appends to the same stream, the way the command handler writes an aggregate: each
 * attempt reads the stream's version (the handler's load, with nothing to fold), then appends
 * with that exact version, under the product's retry policy (retryOnConflict: writers of this
 * process take turns on the stream after a conflict, with backoff for rivals elsewhere).
 * `ceiling` is the same run's hot-row UPDATE rate, measured just before.
 */
function hotStreamCase(store: PostgresEventStore, concurrency: number, ceiling: () => number): Case {
  return {
    name: 'hot-stream-c16',
    concurrency,
    eventsPerAppend: 1,
    phase: () => {
      const turns = new StreamTurns();
      let conflictsRetried = 0;
      let attempts = 0;
      return {
        work: async (unit) => {
          const attempt = async () => {
            attempts++;
            const head = await store.readStream(HOT_STREAM_ID, { direction: 'backward', maxCount: 1 });
            // Version 0 means "no stream yet": the store treats it as NO_STREAM.
            const res = await store.append(HOT_STREAM_ID, newEvents(1, unit), {
              streamType: STREAM_TYPE,
              expectedVersion: head.currentVersion,
              workspaceId: WORKSPACE_ID,
            });
            if (res.duplicate) throw new Error('unexpected idempotent duplicate');
          };
          await retryOnConflict(HOT_STREAM_ID, attempt, {
            retries: DEFAULT_CONFLICT_RETRIES,
            turns,
            onRetry: () => conflictsRetried++,
          });
        },
        extra: () => ({ conflicts_retried: conflictsRetried, attempts }),
      };
    },
    summary: (result) => {
      const perEvent = result.conflicts_retried / result.events;
      const ratio = result.value / ceiling();
      return {
        conflicts_retried_per_event: round(perEvent, 3),
        hot_row_update_ceiling: round(ceiling(), 1),
        ratio_vs_hot_row_update_ceiling: round(ratio, 3),
        target_conflicts_per_event_met: perEvent <= 2,
      };
    },
  };
}

/**
 * The ceiling of one hot row on this server: 16 writers each committing
 * `UPDATE ... SET version = version + 1` on the same row, one statement per transaction. An
 * append to one stream has to update that stream's row too, so no hot stream can beat it.
 */
function hotRowUpdateCase(backend: BenchBackend, concurrency: number): Case {
  const named = backend.namedStatements;
  return {
    name: 'baseline-hot-row-update-c16',
    concurrency,
    eventsPerAppend: 1,
    setup: async () => {
      await backend.pool.query(`CREATE TABLE IF NOT EXISTS bench_hot_row (id int PRIMARY KEY, version bigint NOT NULL)`);
      await backend.pool.query(`INSERT INTO bench_hot_row (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`);
    },
    phase: () => ({
      work: async () => {
        await backend.pool.query({
          name: named ? 'bench_hot_row_update' : undefined,
          text: 'UPDATE bench_hot_row SET version = version + 1 WHERE id = 1',
        });
      },
      extra: () => ({ round_trips_per_event: 1 }),
    }),
  };
}

/**
 * The same rows written the plain way: per event one transaction with BEGIN, an INSERT into
 * event_streams, an INSERT into events, COMMIT (four round trips), into the very same tables, so
 * the indexes, the partitioning, the sequence and the immutability triggers are identical.
 * Columns the store fills are filled here too; transaction_id and recorded_at take their defaults.
 */
function rawBaselineCase(backend: BenchBackend, concurrency: number): Case {
  const named = backend.namedStatements;
  const insertStream = `INSERT INTO event_streams (stream_id, stream_type, workspace_id, version) VALUES ($1, $2, $3, 1)`;
  const insertEvent = `INSERT INTO events (event_id, stream_id, stream_version, stream_type, event_type, schema_version,
                         workspace_id, actor_id, correlation_id, causation_id, payload, metadata)
                       VALUES ($1, $2, 1, $3, $4, 1, $5, NULL, NULL, NULL, $6, $7)`;
  return {
    name: 'baseline-raw-pg-c16',
    concurrency,
    eventsPerAppend: 1,
    phase: (phase) => ({
      work: async (unit) => {
        const streamId = `baseline-raw-pg-c16-${phase}-${unit}`;
        // A connection per transaction, as the store's pool.query gets one per append.
        const client = await backend.pool.connect();
        try {
          await client.query('BEGIN');
          await client.query({
            name: named ? 'bench_raw_stream' : undefined,
            text: insertStream,
            values: [streamId, STREAM_TYPE, WORKSPACE_ID],
          });
          await client.query({
            name: named ? 'bench_raw_event' : undefined,
            text: insertEvent,
            values: [uuidv7(), streamId, STREAM_TYPE, EVENT_TYPE, WORKSPACE_ID, JSON.stringify(eventData(unit)), '{}'],
          });
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      },
      extra: () => ({ round_trips_per_event: 4 }),
    }),
  };
}

interface CaseResult {
  value: number;
}

/**
 * A checkpoint before each case on a real server, so one case does not pay for flushing the
 * previous case's dirty pages. Needs superuser (or pg_checkpoint); without it we just go on.
 */
async function settle(backend: BenchBackend): Promise<void> {
  if (backend.kind !== 'pg') return;
  await backend.pool.query('CHECKPOINT').catch((err: Error) => log(`CHECKPOINT skipped: ${err.message}`));
}

async function runCase(backend: BenchBackend, c: Case, events: number, smoke: boolean): Promise<CaseResult> {
  const appends = Math.ceil(events / c.eventsPerAppend);
  // Enough to warm connections, prepared statements, plans and the caches; too few to matter.
  const warmupAppends = Math.max(c.concurrency * 2, Math.ceil(Math.min(1000, events / 20) / c.eventsPerAppend));
  await settle(backend);
  await c.setup?.();
  log(`${backend.kind} ${c.name}: warm-up ${warmupAppends} appends, then ${appends} appends x ${c.eventsPerAppend} events`);
  await runWorkers(c.concurrency, warmupAppends, c.phase('warmup').work);

  const measured = c.phase('measure');
  const run = await runWorkers(c.concurrency, appends, measured.work);
  const total = appends * c.eventsPerAppend;
  const value = total / run.seconds;
  const extra = measured.extra?.() ?? {};
  const conflictsRetried = typeof extra.conflicts_retried === 'number' ? extra.conflicts_retried : 0;
  emit({
    bench: 'append',
    case: c.name,
    backend: backend.kind,
    value: round(value, 1),
    unit: 'events/s',
    events: total,
    seconds: round(run.seconds, 3),
    concurrency: c.concurrency,
    appends,
    events_per_append: c.eventsPerAppend,
    latency_ms_p50: round(percentile(run.latenciesMs, 50), 3),
    latency_ms_p99: round(percentile(run.latenciesMs, 99), 3),
    latency_ms_max: round(percentile(run.latenciesMs, 100), 3),
    pool_max: backend.poolMax,
    ...extra,
    ...c.summary?.({ value, events: total, conflicts_retried: conflictsRetried }),
    ...(smoke ? { smoke: true } : {}),
  });
  return { value };
}

/** BENCH_APPEND_ONLY=hot-stream: just the hot stream and its ceiling (a quick look at that one target). */
function onlyHotStream(): boolean {
  const only = process.env.BENCH_APPEND_ONLY;
  if (only === undefined || only === '') return false;
  if (only !== 'hot-stream') throw new Error(`BENCH_APPEND_ONLY: unknown "${only}" (hot-stream)`);
  return true;
}

async function runOnBackend(backend: BenchBackend, events: number, smoke: boolean): Promise<void> {
  const store = new PostgresEventStore(backend.pool, { namedStatements: backend.namedStatements });
  const c16 = 16;
  const hotStream = async () => {
    // The hot-row ceiling right before the hot stream, so both see the same server state.
    const hotRow = await runCase(backend, hotRowUpdateCase(backend, c16), events, smoke);
    await runCase(backend, hotStreamCase(store, c16, () => hotRow.value), events, smoke);
  };
  if (onlyHotStream()) return hotStream();
  // The baseline runs right before the c16 case it is compared with, so both see nearly the same
  // table sizes and server state; running it first also hands the store the larger tables, i.e.
  // any bias is against the store.
  const c1 = await runCase(backend, newStreamCase(store, 'new-stream-1-event-c1', 1, 1), events, smoke);
  const baseline = await runCase(backend, rawBaselineCase(backend, c16), events, smoke);
  const one = await runCase(backend, newStreamCase(store, 'new-stream-1-event-c16', c16, 1), events, smoke);
  const ten = await runCase(backend, newStreamCase(store, 'new-stream-10-events-c16', c16, 10), events, smoke);
  await hotStream();

  const vsBaseline = one.value / baseline.value;
  const tenVsOne = ten.value / one.value;
  emit({
    bench: 'append',
    case: 'summary',
    backend: backend.kind,
    value: round(vsBaseline, 3),
    unit: 'x',
    ratio_new_stream_1_event_c16_vs_baseline: round(vsBaseline, 3),
    ratio_10_events_vs_1_event_c16: round(tenVsOne, 3),
    ratio_1_event_c16_vs_c1: round(one.value / c1.value, 3),
    // Targets are stated for the real server; on embedded the lines are informative only.
    target_vs_baseline_met: vsBaseline >= 1.0,
    target_10_vs_1_met: tenVsOne >= 5.0,
    ...(smoke ? { smoke: true } : {}),
  });
}

export const appendBench: Bench = {
  name: 'append',
  async run({ smoke }: BenchOptions): Promise<void> {
    const events = eventsPerCase(smoke);
    for (const kind of selectedBackends()) {
      const started = process.hrtime.bigint();
      const backend = await openBackend(kind);
      try {
        await runOnBackend(backend, events, smoke);
      } finally {
        await backend.close();
      }
      log(`${kind}: done in ${round(Number(process.hrtime.bigint() - started) / 1e9, 1)} s`);
    }
  },
};
