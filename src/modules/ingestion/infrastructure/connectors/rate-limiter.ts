export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout as a promise that an AbortSignal cuts short (rejecting with the signal's reason). */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * At most `limit` request starts in any `windowMs` (a sliding window, so no burst at a window
 * edge), callers served in arrival order. Gong documents 3 calls per second per company: its
 * client holds one of these, so a sync never earns the 429 in the first place.
 */
export class SlidingWindowRateLimiter {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: number,
    readonly windowMs = 1000,
    private readonly clock: { now: () => number; sleep: Sleep } = { now: () => Date.now(), sleep: abortableSleep },
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('The rate limit must be a positive integer');
  }

  /** Resolves when the caller may start its request. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    // A caller that gave up (aborted) must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      while (this.starts.length && now - this.starts[0] >= this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await this.clock.sleep(this.starts[0] + this.windowMs - now, signal);
    }
  }
}
