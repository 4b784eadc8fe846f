import { performance } from 'node:perf_hooks';
import { INestApplicationContext } from '@nestjs/common';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';

/**
 * The mail-import bench's timing split, measured inside a live app by wrapping the methods an
 * import goes through: the message writer's batches, the event-store statement under them, and
 * the import job's events. The bench names these by hand, so when one of them changes shape the
 * probes must fail at set-up, never turn into a wrapper that breaks the app it measures
 * (test/e2e/ingestion-import-probes.e2e.spec.ts runs them on a real upload).
 */

/**
 * Wall time of calls that may overlap (the runner writes a batch while it reads the next one):
 * `busy` counts the time at least one call of the clocks sharing `union` is running, `calls`
 * the sum of the calls' own durations (larger than `busy` when they overlap).
 */
export class BusyClock {
  callSeconds = 0;
  calls = 0;
  private running = 0;
  private since = 0;
  busySeconds = 0;

  constructor(private readonly union?: BusyClock) {}

  enter(): number {
    if (this.running++ === 0) this.since = performance.now();
    this.union?.enter();
    return performance.now();
  }

  leave(t0: number): void {
    const now = performance.now();
    this.callSeconds += (now - t0) / 1000;
    this.calls++;
    if (--this.running === 0) this.busySeconds += (now - this.since) / 1000;
    this.union?.leave(t0);
  }
}

/**
 * Wraps an async method of a live instance so its calls run on `clock`. Throws when `method` is
 * not a function of `target`: a wrapper around anything else would replace it with a function
 * and break its callers.
 */
export function timeMethod<T extends object>(target: T, method: keyof T & string, clock: BusyClock, onCall?: (args: unknown[]) => void): BusyClock {
  const original = target[method] as unknown;
  if (typeof original !== 'function') throw new TypeError(`timeMethod: ${target.constructor?.name ?? 'the target'}.${method} is not a method (${typeof original})`);
  (target as Record<string, unknown>)[method] = async function (this: unknown, ...args: unknown[]) {
    const t0 = clock.enter();
    try {
      return await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } finally {
      clock.leave(t0);
      onCall?.(args);
    }
  };
  return clock;
}

export interface ImportProbes {
  /** Writes and job events share it: its busy time is the writing side's wall time. */
  databaseSide: BusyClock;
  /** MessageWriter.ingest: one call per batch. */
  write: BusyClock;
  /** The writer's own PostgresEventStore.appendNewStreams (a module may hold another instance). */
  append: BusyClock;
  /** The import job aggregate's handle: one call per job event. */
  jobEvents: BusyClock;
  /** performance.now() when the job's `complete` event was recorded; 0 until then. */
  completedAt(): number;
}

/** Installs the probes on a started app: from then on every import on it is timed. */
export function probeImport(app: INestApplicationContext): ImportProbes {
  const writer = app.get(MessageWriter, { strict: false });
  const databaseSide = new BusyClock();
  const write = timeMethod(writer, 'ingest', new BusyClock(databaseSide));
  const append = timeMethod((writer as unknown as { store: PostgresEventStore }).store, 'appendNewStreams', new BusyClock());
  let completedAt = 0;
  // The job is a bound aggregate (defineAggregate): its events go through `handle(id, command, ...)`.
  const job = app.get(IngestionAggregates, { strict: false }).job;
  const jobEvents = timeMethod(job, 'handle', new BusyClock(databaseSide), (args) => {
    if ((args[1] as { kind?: string } | undefined)?.kind === 'complete') completedAt = performance.now();
  });
  return { databaseSide, write, append, jobEvents, completedAt: () => completedAt };
}
