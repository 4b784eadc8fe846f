import { ConcurrencyError } from '@libs/event-store/concurrency.error';

/**
 * What to do when an append loses an optimistic-concurrency race: run the whole attempt again
 * (reload, decide, append). The one retry policy of the write side; the command handler and the
 * append bench both use it, so the bench measures what the product does.
 *
 * Two mechanisms, for two kinds of rival:
 * - Writers in THIS process take turns per stream (StreamTurns). Once a stream has a conflict,
 *   the loser waits for its turn, and so does every later writer of that stream while any are
 *   waiting: a hot stream is written one attempt at a time instead of N writers queueing on the
 *   stream's row lock in the database, all but one of them only to fail and go round again.
 *   When the queue empties, writers of the stream go straight to the database again.
 * - Writers in OTHER processes cannot be queued: a conflict inside a turn backs off with
 *   exponential backoff and full jitter (AWS's "Exponential Backoff And Jitter"), so rival
 *   processes spread out instead of colliding in lockstep.
 */

export interface ConflictBackoff {
  /** The cap of the first retry's delay; it doubles per retry. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Retries after the first attempt when a command names none. */
export const DEFAULT_CONFLICT_RETRIES = 10;

export const DEFAULT_CONFLICT_BACKOFF: ConflictBackoff = { baseDelayMs: 5, maxDelayMs: 250 };

/** Full jitter: uniform in [0, min(max, base * 2^(retry-1))). `retry` counts from 1. */
export function conflictBackoffMs(retry: number, backoff: ConflictBackoff = DEFAULT_CONFLICT_BACKOFF, random: () => number = Math.random): number {
  const cap = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return random() * cap;
}

/**
 * A keyed queue: `take(key, fn)` runs fn after every earlier taker of the same key has finished.
 * Keys with nobody waiting hold no memory. Not re-entrant: fn must not take the same key.
 */
export class StreamTurns {
  private readonly tails = new Map<string, Promise<void>>();

  /** Somebody holds or waits for a turn on this key. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  async take<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    // Chained only on promises that resolve: a failing turn cannot fail the ones after it.
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

export interface RetryOnConflictOptions {
  /** Attempts after the first (0: try once). */
  retries: number;
  /**
   * Turns per stream of this process. Leave it out when the attempt runs inside a caller's
   * transaction: that transaction may hold the stream's row lock while the turn's holder waits
   * for it in the database, a deadlock PostgreSQL cannot see.
   */
  turns?: StreamTurns;
  backoff?: ConflictBackoff;
  /** Told of every conflict that is retried (the bench counts them). */
  onRetry?: (conflict: ConcurrencyError, retry: number) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it does not throw a ConcurrencyError, at most `retries` times more; the
 * last conflict (or any other error) goes up. `attempt` must start from a fresh read each time.
 */
export async function retryOnConflict<T>(streamId: string, attempt: () => Promise<T>, options: RetryOnConflictOptions): Promise<T> {
  const { turns, retries } = options;
  const backoff = options.backoff ?? DEFAULT_CONFLICT_BACKOFF;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? sleepMs;

  // Attempts from number `first` on (0 is the first attempt). The first of them goes at once:
  // inside a turn, whoever of this process beat us has finished by now. Only a conflict after
  // that (another process, or no turns) waits.
  const run = async (first: number): Promise<T> => {
    for (let retry = first; ; retry++) {
      if (retry > first) await sleep(conflictBackoffMs(retry, backoff, random));
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || retry >= retries) throw err;
        options.onRetry?.(err, retry + 1);
      }
    }
  };

  if (!turns) return run(0);
  // A stream others of this process are taking turns on: join the queue rather than race it.
  if (turns.busy(streamId)) return turns.take(streamId, () => run(0));
  try {
    return await attempt();
  } catch (err) {
    if (!(err instanceof ConcurrencyError) || retries === 0) throw err;
    options.onRetry?.(err, 1);
  }
  return turns.take(streamId, () => run(1));
}
