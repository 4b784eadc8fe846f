import { expectLinear } from './linearity';

describe('expectLinear', () => {
  it('passes a linear pass over the input', async () => {
    const result = await expectLinear((s: string) => s.split('').reverse().join(''), (n) => 'ab'.repeat(n / 2), { n: 256 * 1024 });
    expect(result.largeMs).toBeGreaterThan(0);
  });

  it('fails a quadratic one on every round (the retries measure again, they do not forgive)', async () => {
    const quadratic = (s: string) => {
      let acc = 0;
      for (let i = 0; i < s.length; i++) for (let j = i; j < s.length; j += 1) acc += s.charCodeAt(j) & 1;
      return acc;
    };
    // Big enough that the small input takes tens of ms: at a few ms, start-up noise alone could halve the ratio (CI once measured 7.7x).
    await expect(expectLinear(quadratic, (n) => 'ab'.repeat(n / 2), { n: 8192, tries: 2 })).rejects.toThrow(/linear/);
  });
});
