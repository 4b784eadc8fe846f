/**
 * For tests of parsers against pathological input (issue 11: no input may stall the event loop).
 *
 * Times `run(make(n))` and `run(make(4n))` (best of `tries`, after one warm-up on a small input)
 * and asserts that the large one finishes within `maxMs` and takes less than `maxRatio` times the
 * small one: ~4 for linear work, ~16 for quadratic. Times under `floorMs` count as `floorMs`, so
 * scheduler noise on fast runs cannot fail a linear parser. A run of the small input that already
 * exceeds `maxMs` fails at once (a quadratic parser would take minutes on the large one).
 */
export async function expectLinear<T>(
  run: (input: T) => unknown,
  make: (n: number) => T,
  options: { n: number; maxMs?: number; maxRatio?: number; floorMs?: number; tries?: number },
): Promise<{ smallMs: number; largeMs: number }> {
  // The absolute cap is generous: a long in-band jest run (a big heap, GC pauses) slows everything; the ratio is the real check.
  const { n, maxMs = 15_000, maxRatio = 10, floorMs = 10, tries = 3 } = options;
  await run(make(Math.max(1, Math.floor(n / 64))));
  const time = async (input: T, limit: number) => {
    let best = Infinity;
    for (let i = 0; i < tries; i++) {
      const start = performance.now();
      await run(input);
      best = Math.min(best, performance.now() - start);
      if (best > limit) break;
    }
    return best;
  };
  const smallMs = await time(make(n), maxMs);
  expect({ n, smallMs, within: smallMs <= maxMs }).toEqual(expect.objectContaining({ within: true }));
  const largeMs = await time(make(4 * n), maxMs);
  expect({ n: 4 * n, largeMs, within: largeMs <= maxMs }).toEqual(expect.objectContaining({ within: true }));
  const ratio = Math.max(largeMs, floorMs) / Math.max(smallMs, floorMs);
  expect({ smallMs, largeMs, ratio, linear: ratio < maxRatio }).toEqual(expect.objectContaining({ linear: true }));
  return { smallMs, largeMs };
}
