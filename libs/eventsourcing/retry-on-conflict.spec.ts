import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { conflictBackoffMs, retryOnConflict, StreamTurns } from './retry-on-conflict';

const conflict = (actual = 1) => new ConcurrencyError('s-1', actual - 1, actual);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A stream in memory with the store's rule: an append names the version it read, or conflicts. */
function fakeStream() {
  let version = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const log: string[] = [];
  return {
    log,
    maxInFlight: () => maxInFlight,
    version: () => version,
    /** Read, one tick of "network", then append: a whole attempt, as the command handler makes one. */
    async attempt(writer: string): Promise<number> {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const read = version;
        await tick();
        if (read !== version) {
          log.push(`${writer}:conflict`);
          throw new ConcurrencyError('s-1', read, version);
        }
        log.push(`${writer}:ok`);
        return ++version;
      } finally {
        inFlight--;
      }
    },
  };
}

describe('conflictBackoffMs (full jitter)', () => {
  const backoff = { baseDelayMs: 5, maxDelayMs: 250 };

  it('is uniform in [0, cap) with the cap doubling per retry up to the maximum', () => {
    const caps = [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => conflictBackoffMs(retry, backoff, () => 1));
    expect(caps).toEqual([5, 10, 20, 40, 80, 160, 250, 250]);
    for (const retry of [1, 4, 9]) {
      expect(conflictBackoffMs(retry, backoff, () => 0)).toBe(0);
      expect(conflictBackoffMs(retry, backoff, () => 0.5)).toBe(conflictBackoffMs(retry, backoff, () => 1) / 2);
    }
  });

  it('stays inside the bounds with the real random', () => {
    for (let i = 0; i < 200; i++) {
      const ms = conflictBackoffMs(3, backoff);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(20);
    }
  });
});

describe('StreamTurns', () => {
  it('runs the takers of one key one after another, in the order they came', async () => {
    const turns = new StreamTurns();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name}:start`);
      await tick();
      log.push(`${name}:end`);
      return name;
    };
    const all = Promise.all(['a', 'b', 'c'].map((n) => turns.take('k', job(n))));
    expect(turns.busy('k')).toBe(true);
    await expect(all).resolves.toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    expect(turns.busy('k')).toBe(false);
  });

  it('lets other keys run at the same time, and a failing turn does not block the next', async () => {
    const turns = new StreamTurns();
    const log: string[] = [];
    const slow = turns.take('k1', async () => {
      log.push('k1:start');
      await tick();
      await tick();
      throw new Error('boom');
    });
    const other = turns.take('k2', async () => log.push('k2:ran'));
    const next = turns.take('k1', async () => log.push('k1-next:ran'));
    await expect(slow).rejects.toThrow('boom');
    await Promise.all([other, next]);
    expect(log).toEqual(['k1:start', 'k2:ran', 'k1-next:ran']);
    expect(turns.busy('k1') || turns.busy('k2')).toBe(false);
  });
});

describe('retryOnConflict', () => {
  const noSleep = async () => undefined;

  it('gives up after N retries with the last conflict, backing off with jitter before each', async () => {
    const slept: number[] = [];
    const retried: number[] = [];
    let attempts = 0;
    const last = conflict(9);
    const run = retryOnConflict(
      's-1',
      async () => {
        attempts++;
        throw attempts === 4 ? last : conflict(attempts);
      },
      { retries: 3, random: () => 1, sleep: async (ms) => void slept.push(ms), onRetry: (_err, retry) => retried.push(retry) },
    );
    await expect(run).rejects.toBe(last);
    expect(attempts).toBe(4);
    expect(retried).toEqual([1, 2, 3]);
    expect(slept).toEqual([5, 10, 20]);
  });

  it('does not retry other errors, nor at all with retries 0', async () => {
    let attempts = 0;
    const failing = () => retryOnConflict('s-1', async () => { attempts++; throw new Error('not a conflict'); }, { retries: 5, sleep: noSleep });
    await expect(failing()).rejects.toThrow('not a conflict');
    expect(attempts).toBe(1);
    attempts = 0;
    const once = retryOnConflict('s-1', async () => { attempts++; throw conflict(); }, { retries: 0, turns: new StreamTurns(), sleep: noSleep });
    await expect(once).rejects.toBeInstanceOf(ConcurrencyError);
    expect(attempts).toBe(1);
  });

  it('gives up after N retries inside a turn too (conflicts from another process)', async () => {
    const turns = new StreamTurns();
    const slept: number[] = [];
    let attempts = 0;
    const run = retryOnConflict('s-1', async () => { attempts++; throw conflict(); }, { retries: 3, turns, random: () => 1, sleep: async (ms) => void slept.push(ms) });
    await expect(run).rejects.toBeInstanceOf(ConcurrencyError);
    expect(attempts).toBe(4);
    // The first retry in the turn goes at once; only conflicts inside the turn wait.
    expect(slept).toEqual([10, 20]);
    expect(turns.busy('s-1')).toBe(false);
  });

  it('serialises the writers of one stream after a conflict: losers retry in turn, in the order they lost', async () => {
    const stream = fakeStream();
    const turns = new StreamTurns();
    let retries = 0;
    const writers = ['w1', 'w2', 'w3', 'w4'];
    const versions = await Promise.all(
      writers.map((w) => retryOnConflict('s-1', () => stream.attempt(w), { retries: 1, turns, sleep: noSleep, onRetry: () => retries++ })),
    );
    expect(versions.sort()).toEqual([1, 2, 3, 4]);
    // All four raced once; one won, the three losers went once each, one at a time, in order.
    expect(stream.log).toEqual(['w1:ok', 'w2:conflict', 'w3:conflict', 'w4:conflict', 'w2:ok', 'w3:ok', 'w4:ok']);
    expect(retries).toBe(3);
    expect(turns.busy('s-1')).toBe(false);
  });

  it('queues a new writer of a stream others are taking turns on, instead of racing them', async () => {
    const stream = fakeStream();
    const turns = new StreamTurns();
    let retries = 0;
    const opts = { retries: 2, turns, sleep: noSleep, onRetry: () => retries++ };
    const first = ['w1', 'w2', 'w3'].map((w) => retryOnConflict('s-1', () => stream.attempt(w), opts));
    // Let the first round conflict, so w2 and w3 hold and wait for turns.
    await tick();
    await tick();
    expect(turns.busy('s-1')).toBe(true);
    const late = ['w4', 'w5'].map((w) => retryOnConflict('s-1', () => stream.attempt(w), opts));
    await Promise.all([...first, ...late]);
    expect(stream.version()).toBe(5);
    expect(retries).toBe(2); // only the first race; the late writers never conflicted
    expect(stream.log.slice(3)).toEqual(['w2:ok', 'w3:ok', 'w4:ok', 'w5:ok']);
    expect(stream.maxInFlight()).toBe(3);
  });
});
