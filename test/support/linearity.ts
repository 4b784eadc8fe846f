/**
 * For tests of parsers against pathological input (issue 11: no input may stall the event loop).
 *
 * Times `run(make(n))` and `run(make(4n))` (best of `tries`, after one warm-up on a small input)
 * and asserts that the large one finishes within `maxMs` and takes less than `maxRatio` times the
 * small one: ~4 for linear work, ~16 for quadratic. Times under `floorMs` count as `floorMs`, so
 * scheduler noise on fast runs cannot fail a linear parser. A run of the small input that already
 * exceeds `maxMs` fails at once (a quadratic parser would take minutes on the large one). A ratio
 * over `maxRatio` is measured again (up to `rounds` times) before it fails: noise passes, growth does not.
 */
export async function expectLinear<T>(
  run: (input: T) => unknown,
  make: (n: number) => T,
  options: { n: number; maxMs?: number; maxRatio?: number; floorMs?: number; tries?: number; rounds?: number },
): Promise<{ smallMs: number; largeMs: number }> {
  // The absolute cap is generous: a long in-band jest run (a big heap, GC pauses) slows everything; the ratio is the real check.
  const { n, maxMs = 15_000, maxRatio = 10, floorMs = 10, tries = 3, rounds = 3 } = options;
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
  const small = make(n);
  const large = make(4 * n);
  let smallMs = await time(small, maxMs);
  expect({ n, smallMs, within: smallMs <= maxMs }).toEqual(expect.objectContaining({ within: true }));
  let largeMs = await time(large, maxMs);
  expect({ n: 4 * n, largeMs, within: largeMs <= maxMs }).toEqual(expect.objectContaining({ within: true }));
  const ratioOf = () => Math.max(largeMs, floorMs) / Math.max(smallMs, floorMs);
  // A GC pause or a busy neighbour in a full CI run can slow one measurement several-fold (CI saw
  // 11x on a parser that measures 2.5x alone); measure both again, interleaved, before judging.
  // A quadratic parser stays at ~16x on every round, so the retries cannot hide one.
  for (let round = 1; round < rounds && ratioOf() >= maxRatio; round++) {
    smallMs = Math.min(smallMs, await time(small, maxMs));
    largeMs = Math.min(largeMs, await time(large, maxMs));
  }
  const ratio = ratioOf();
  expect({ smallMs, largeMs, ratio, linear: ratio < maxRatio }).toEqual(expect.objectContaining({ linear: true }));
  return { smallMs, largeMs };
}
