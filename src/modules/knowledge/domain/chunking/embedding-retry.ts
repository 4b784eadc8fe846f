/** The first retry of a failed embedding waits about this long; each later one twice as long. */
export const EMBEDDING_RETRY_BASE_MS = 30_000;
export const EMBEDDING_RETRY_MAX_MS = 6 * 3600_000;

/**
 * When a chunk whose embedding failed for the `attempts`-th time may be tried again: exponential
 * backoff with "equal jitter" (half fixed, half random), so chunks that failed together (a 429
 * for a whole batch) do not come back together. null: out of attempts, it stays failed.
 * `random` is in [0, 1).
 */
export function nextEmbeddingAttemptDelay(attempts: number, maxAttempts: number, random: number): number | null {
  if (attempts >= maxAttempts) return null;
  const exp = Math.min(EMBEDDING_RETRY_MAX_MS, EMBEDDING_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (exp / 2) * Math.min(Math.max(random, 0), 1));
}
