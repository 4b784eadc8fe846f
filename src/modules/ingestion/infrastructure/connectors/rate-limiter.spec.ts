import { SlidingWindowRateLimiter } from './rate-limiter';

/** A clock that only moves when someone sleeps. */
function fakeClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

describe('SlidingWindowRateLimiter', () => {
  it('lets at most 3 requests start in any second, in arrival order', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowRateLimiter(3, 1000, clock);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 10 }, () => limiter.acquire().then(() => starts.push(clock.now()))));
    expect(starts).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000]);
    for (let i = 3; i < starts.length; i++) expect(starts[i] - starts[i - 3]).toBeGreaterThanOrEqual(1000);
  });

  it('does not hold others up when a waiting caller aborts', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowRateLimiter(1, 1000, clock);
    await limiter.acquire();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(limiter.acquire(controller.signal)).rejects.toThrow('gone');
    await limiter.acquire();
    expect(clock.now()).toBe(1000);
  });
});
