import { EMBEDDING_RETRY_BASE_MS, EMBEDDING_RETRY_MAX_MS, nextEmbeddingAttemptDelay } from './embedding-retry';

describe('nextEmbeddingAttemptDelay', () => {
  it('doubles with each attempt, between half and all of the exponential delay', () => {
    expect(nextEmbeddingAttemptDelay(1, 5, 0)).toBe(EMBEDDING_RETRY_BASE_MS / 2);
    expect(nextEmbeddingAttemptDelay(1, 5, 0.999999)).toBeCloseTo(EMBEDDING_RETRY_BASE_MS, -1);
    expect(nextEmbeddingAttemptDelay(2, 5, 0)).toBe(EMBEDDING_RETRY_BASE_MS);
    expect(nextEmbeddingAttemptDelay(3, 5, 0.5)).toBe(EMBEDDING_RETRY_BASE_MS * 3);
  });

  it('spreads chunks that failed together (jitter) and never exceeds the cap', () => {
    const delays = new Set([0.1, 0.4, 0.7].map((r) => nextEmbeddingAttemptDelay(2, 5, r)));
    expect(delays.size).toBe(3);
    expect(nextEmbeddingAttemptDelay(40, 100, 0.99)).toBeLessThanOrEqual(EMBEDDING_RETRY_MAX_MS);
  });

  it('answers null once the attempts are used up: the chunk stays failed', () => {
    expect(nextEmbeddingAttemptDelay(5, 5, 0.5)).toBeNull();
    expect(nextEmbeddingAttemptDelay(6, 5, 0.5)).toBeNull();
  });
});
