import { Pool } from 'pg';
import { PostgresWakeUpSignal } from '@libs/database/coordination/postgres.coordination';
import { InProcessWakeUpSignal } from '@libs/database/coordination/in-process.coordination';
import { WakeUpSignal } from '@libs/database/coordination/coordination.port';
import { EventPartitions } from '@libs/event-store/event-partitions';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { ANY } from '@libs/event-store/event-store.types';
import { EVENTS_APPENDED_CHANNEL, PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ProjectionRebuilder } from '@libs/eventsourcing/projections/projection-rebuilder';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { ProjectionConsumer } from '@libs/eventsourcing/subscriptions/projection-consumer';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { AuditEventsQueries, EventCriteria } from '@modules/audit/infrastructure/audit-events.queries';
import { StreamActivityProjection } from '@modules/audit/projections/stream-activity.projection';
import { Bench, BenchBackend, BenchOptions, emit, log, openBackend, percentile, round, selectedBackends } from './harness';

/**
 * The event-sourcing runtime's figures (issue 4): projection catch-up and rebuild over a large
 * log, audit query latency over 12 monthly partitions, and append -> read-model latency.
 * The log is seeded with set-based SQL (the append path has its own bench), in chunks so it
 * spans many transactions like a real log.
 */

const WS = ['0191d2a0-0000-7000-8000-0000000000a1', '0191d2a0-0000-7000-8000-0000000000a2', '0191d2a0-0000-7000-8000-0000000000a3'];

async function seed(pool: Pool, total: number, months: number, streams: number): Promise<void> {
  const chunk = 50_000;
  const start = Date.now();
  const first = new Date(Date.UTC(2025, 0, 1));
  const partitions = new EventPartitions(pool);
  await partitions.ensureAhead(months, first);
  for (let from = 0; from < total; from += chunk) {
    const n = Math.min(chunk, total - from);
    // Spread over `months` months, oldest first, so every partition holds ~total/months events.
    await pool.query(
      `INSERT INTO events (event_id, stream_id, stream_version, stream_type, event_type, schema_version,
                           workspace_id, actor_id, correlation_id, payload, recorded_at)
       SELECT gen_random_uuid(), 's-' || (g % $3), (g / $3) + 1, 'bench', 'bench.type-' || (g % 20), 1,
              ($4::uuid[])[1 + g % 3], 'actor-' || (g % 100), 'corr-' || (g / 4),
              jsonb_build_object('seq', g, 'text', 'the customer asked about the renewal date'),
              $5::timestamptz + ((g::double precision / $6) * $7 * interval '1 day')
         FROM generate_series($1::bigint, $2::bigint) g`,
      [from, from + n - 1, streams, WS, first, total, months * 30],
    );
    if ((from / chunk) % 10 === 0) log(`seeded ${from + n}/${total} events`);
  }
  await pool.query(
    `INSERT INTO event_streams (stream_id, stream_type, workspace_id, version, created_at, updated_at)
     SELECT stream_id, 'bench', min(workspace_id::text)::uuid, max(stream_version), min(recorded_at), max(recorded_at)
       FROM events GROUP BY stream_id
     ON CONFLICT (stream_id) DO NOTHING`,
  );
  await pool.query('ANALYZE events');
  log(`seeded ${total} events in ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

async function projectionCases(backend: BenchBackend, smoke: boolean): Promise<void> {
  const total = smoke ? 3_000 : Number(process.env.BENCH_PROJECTION_EVENTS ?? 1_000_000);
  const { pool } = backend;
  await seed(pool, total, 12, Math.max(10, Math.floor(total / 10)));
  const store = new PostgresEventStore(pool, { namedStatements: backend.namedStatements });
  const checkpoints = new SubscriptionCheckpoints(pool);
  const projection = new StreamActivityProjection();
  await checkpoints.ensure(projection.name, 'projection');
  const consumer = new ProjectionConsumer(projection, store, pool, checkpoints, new ParkedEvents(pool), {
    batchSize: 5_000,
    maxAttempts: 3,
    backoffMs: 10,
    holder: 'bench',
  });
  const baseline = await setBasedBaseline(pool, projection.table, 5_000);
  let t = process.hrtime.bigint();
  let applied = 0;
  for (;;) {
    const out = await consumer.processNext();
    applied += out.processed;
    if (out.caughtUp) break;
  }
  let seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const rate = applied / seconds;
  emit({ bench: 'projections', case: 'catch-up-sql-baseline', backend: backend.kind, value: round(baseline.perBatch.rate, 1), unit: 'events/s', events: baseline.perBatch.events, seconds: round(baseline.perBatch.seconds, 2), batch: 5_000, rows: baseline.rows, one_statement_events_per_s: round(baseline.oneStatement.rate, 1), one_statement_seconds: round(baseline.oneStatement.seconds, 2), smoke });
  emit({ bench: 'projections', case: 'catch-up', backend: backend.kind, value: round(rate, 1), unit: 'events/s', events: applied, seconds: round(seconds, 2), ratio: round(rate / baseline.perBatch.rate, 3), ratio_one_statement: round(rate / baseline.oneStatement.rate, 3), target: '>= 30000 events/s on pg and ratio >= 0.5', smoke });

  const rebuilder = new ProjectionRebuilder(pool, store, checkpoints, 10_000);
  const id = await rebuilder.request(projection.name, 'bench');
  t = process.hrtime.bigint();
  await rebuilder.rebuild(projection, id);
  seconds = Number(process.hrtime.bigint() - t) / 1e9;
  emit({ bench: 'projections', case: 'rebuild', backend: backend.kind, value: round(seconds, 2), unit: 's', events: total, events_per_s: round(total / seconds, 1), target: '< 45 s for 1,000,000 events on pg', smoke });

  await notifyLatency(backend, store, consumer, smoke);
}

const MAX_BASELINE_ACTORS = 50;

/** One row per stream of `source` (events or a page of them), as the projection's handler folds them: the last event's fields, the first time, the actors. */
const perStreamOf = (source: string) => `
  SELECT stream_id, max(stream_version) AS version, min(recorded_at) AS first_recorded_at,
         (array_agg(stream_type ORDER BY transaction_id DESC, global_position DESC))[1] AS stream_type,
         (array_agg(workspace_id ORDER BY transaction_id DESC, global_position DESC))[1] AS workspace_id,
         (array_agg(event_type ORDER BY transaction_id DESC, global_position DESC))[1] AS event_type,
         (array_agg(recorded_at ORDER BY transaction_id DESC, global_position DESC))[1] AS recorded_at,
         coalesce(jsonb_agg(DISTINCT actor_id) FILTER (WHERE actor_id IS NOT NULL), '[]') AS actor_ids
    FROM ${source} GROUP BY stream_id`;

interface Timed {
  events: number;
  seconds: number;
  rate: number;
}

/**
 * The same-run yardstick for catch-up: the audit.stream-activity rows computed by SQL alone from
 * the events table into a copy of the read-model table (same columns, same indexes), so the
 * events never leave the server. `perBatch`: pages of `batch` events in log order, one
 * INSERT ... SELECT ... ON CONFLICT statement each (the consumer's unit of work, without the
 * round trips); `oneStatement`: the whole log in one INSERT ... SELECT ... GROUP BY.
 */
async function setBasedBaseline(pool: Pool, table: string, batch: number): Promise<{ perBatch: Timed; oneStatement: Timed; rows: number }> {
  const copy = `${table}__baseline`;
  const columns = 'stream_id, stream_type, workspace_id, version, first_recorded_at, last_recorded_at, last_event_type, actor_ids';
  const timed = async (run: () => Promise<number>): Promise<Timed> => {
    await pool.query(`DROP TABLE IF EXISTS ${copy}`);
    await pool.query(`CREATE TABLE ${copy} (LIKE ${table} INCLUDING ALL)`);
    const t = process.hrtime.bigint();
    const events = await run();
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    return { events, seconds, rate: events / seconds };
  };
  const perBatch = await timed(async () => {
    let at = { tx: '0', pos: '0' };
    let events = 0;
    for (;;) {
      const res = await pool.query<{ n: string; tx: string | null; pos: string | null }>(
        `WITH page AS (
           SELECT transaction_id, global_position, stream_id, stream_type, workspace_id, stream_version, recorded_at, event_type, actor_id
             FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
            ORDER BY transaction_id, global_position LIMIT $3
         ), per_stream AS (${perStreamOf('page')}
         ), written AS (
           INSERT INTO ${copy} AS t (${columns})
           SELECT stream_id, stream_type, workspace_id, version, first_recorded_at, recorded_at, event_type, actor_ids FROM per_stream
           ON CONFLICT (stream_id) DO UPDATE SET
             stream_type = EXCLUDED.stream_type, workspace_id = EXCLUDED.workspace_id,
             version = greatest(t.version, EXCLUDED.version), first_recorded_at = t.first_recorded_at,
             last_recorded_at = EXCLUDED.last_recorded_at, last_event_type = EXCLUDED.last_event_type,
             actor_ids = CASE WHEN jsonb_array_length(t.actor_ids) >= ${MAX_BASELINE_ACTORS} OR t.actor_ids @> EXCLUDED.actor_ids THEN t.actor_ids
                              ELSE t.actor_ids || EXCLUDED.actor_ids END
         )
         SELECT (SELECT count(*) FROM page) AS n, last.transaction_id::text AS tx, last.global_position::text AS pos
           FROM (SELECT 1) one
           LEFT JOIN (SELECT transaction_id, global_position FROM page ORDER BY transaction_id DESC, global_position DESC LIMIT 1) last ON true`,
        [at.tx, at.pos, batch],
      );
      const n = Number(res.rows[0].n);
      events += n;
      if (n < batch) return events;
      at = { tx: res.rows[0].tx!, pos: res.rows[0].pos! };
    }
  });
  const oneStatement = await timed(async () => {
    await pool.query(
      `INSERT INTO ${copy} (${columns})
       SELECT stream_id, stream_type, workspace_id, version, first_recorded_at, recorded_at, event_type, actor_ids FROM (${perStreamOf('events')}) s`,
    );
    return Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0].n);
  });
  const rows = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${copy}`)).rows[0].n);
  await pool.query(`DROP TABLE ${copy}`);
  return { perBatch, oneStatement, rows };
}

/** Append committed -> read model updated, with a consumer woken by the append signal. */
async function notifyLatency(backend: BenchBackend, _store: PostgresEventStore, consumer: ProjectionConsumer, smoke: boolean): Promise<void> {
  const { pool } = backend;
  const wakeUp: WakeUpSignal =
    backend.kind === 'pg' ? new PostgresWakeUpSignal(pool, (pool as any).options.connectionString, 2) : new InProcessWakeUpSignal();
  // The writer is another "process": its own store and signal.
  const writerSignal: WakeUpSignal =
    backend.kind === 'pg' ? new PostgresWakeUpSignal(pool, (pool as any).options.connectionString, 2) : wakeUp;
  const writer = new PostgresEventStore(pool, { namedStatements: backend.namedStatements, wakeUp: writerSignal, registry: new EventTypeRegistry() });
  let stop = false;
  let wake: () => void = () => undefined;
  const woken = () => new Promise<void>((r) => {
    wake = r;
    setTimeout(r, 1_000); // polling fallback
  });
  const unsubscribe = wakeUp.subscribe(EVENTS_APPENDED_CHANNEL, () => wake());
  const appliedAt = new Map<string, number>();
  const loop = (async () => {
    while (!stop) {
      await woken();
      for (;;) {
        const out = await consumer.processNext();
        if (out.processed) {
          const rows = await pool.query(`SELECT stream_id FROM audit_stream_activity_view WHERE stream_id LIKE 'lat-%'`);
          for (const r of rows.rows) if (!appliedAt.has(r.stream_id)) appliedAt.set(r.stream_id, performance.now());
        }
        if (out.caughtUp) break;
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 200)); // LISTEN registered
  const samples: number[] = [];
  const n = smoke ? 20 : 200;
  for (let i = 0; i < n; i++) {
    const id = `lat-${i}`;
    await writer.append(id, [{ type: 'bench.latency', data: { i } }], { streamType: 'bench', expectedVersion: ANY });
    const committed = performance.now();
    const deadline = Date.now() + 5_000;
    while (!appliedAt.has(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    samples.push((appliedAt.get(id) ?? performance.now()) - committed);
    await new Promise((r) => setTimeout(r, 5));
  }
  stop = true;
  wake();
  await loop;
  unsubscribe();
  await wakeUp.close();
  if (writerSignal !== wakeUp) await writerSignal.close();
  const sorted = Float64Array.from(samples).sort();
  emit({ bench: 'projections', case: 'notify-to-projection', backend: backend.kind, value: round(percentile(sorted, 95), 2), unit: 'ms (p95)', p50_ms: round(percentile(sorted, 50), 2), max_ms: round(sorted[sorted.length - 1], 2), samples: n, target: 'p95 < 100 ms', smoke });
}

async function auditCases(backend: BenchBackend, smoke: boolean): Promise<void> {
  const total = smoke ? 5_000 : Number(process.env.BENCH_AUDIT_EVENTS ?? 2_000_000);
  const { pool } = backend;
  const streams = Math.max(10, Math.floor(total / 20));
  await seed(pool, total, 12, streams);
  const queries = new AuditEventsQueries(pool, new EventTypeRegistry());
  const feb = { from: new Date(Date.UTC(2025, 1, 1)), to: new Date(Date.UTC(2025, 2, 1)) };
  const cases: { name: string; criteria: () => EventCriteria }[] = [
    { name: 'by-stream', criteria: () => ({ streamId: `s-${Math.floor(Math.random() * Math.min(1000, streams))}` }) },
    { name: 'by-actor-and-time-range', criteria: () => ({ actorId: `actor-${Math.floor(Math.random() * 100)}`, ...feb }) },
    { name: 'by-event-type-and-month', criteria: () => ({ eventType: `bench.type-${Math.floor(Math.random() * 20)}`, ...feb }) },
  ];
  for (const c of cases) {
    const runs = smoke ? 10 : 100;
    const ms: number[] = [];
    for (let i = 0; i < runs + 5; i++) {
      const t = performance.now();
      const page = await queries.page(c.criteria(), { limit: 50 }, { userId: null });
      if (i >= 5) ms.push(performance.now() - t);
      if (i === 0 && page.items.length === 0) log(`audit ${c.name}: empty page`);
    }
    const sorted = Float64Array.from(ms).sort();
    emit({ bench: 'audit', case: c.name, backend: backend.kind, value: round(percentile(sorted, 95), 2), unit: 'ms (p95)', p50_ms: round(percentile(sorted, 50), 2), events: total, partitions: 12, page: 50, runs, target: 'p95 < 50 ms', smoke });
  }
}

export const projectionsBench: Bench = {
  name: 'projections',
  async run({ smoke }: BenchOptions) {
    for (const kind of selectedBackends()) {
      const backend = await openBackend(kind);
      try {
        await projectionCases(backend, smoke);
      } finally {
        await backend.close();
      }
    }
  },
};

export const auditBench: Bench = {
  name: 'audit',
  async run({ smoke }: BenchOptions) {
    for (const kind of selectedBackends()) {
      const backend = await openBackend(kind);
      try {
        await auditCases(backend, smoke);
      } finally {
        await backend.close();
      }
    }
  },
};
