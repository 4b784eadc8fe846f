import { expectLinear } from '@test/support/linearity';
import { isEmailAddress, validateIncoming } from './incoming-message';

const row = (extra: Record<string, unknown>) => ({ externalId: 'm-1', content: 'hello', sentAt: '2026-03-01T10:00:00Z', ...extra });

describe('validateIncoming: addresses (issue 11: no input stalls the event loop)', () => {
  it('accepts what the email pattern accepted, and the "Name <address>" form', () => {
    for (const ok of ['dana@fbi.example', 'a.b+c@x.co.uk', 'x@a..b', 'x@a.b.']) expect(isEmailAddress(ok)).toBe(true);
    for (const bad of ['', '@x.example', 'dana@', 'dana@example', 'dana@.example', 'da na@x.example', 'a@b@c.example', 'a@b.c<', 'dana@x.']) expect(isEmailAddress(bad)).toBe(false);
    const v = validateIncoming(row({ to: 'Dana <dana@fbi.example>; fox@fbi.example', cc: ['"Skinner, W." <walter@fbi.example>'] }));
    expect(v).toEqual({ ok: true, value: expect.objectContaining({ to: ['Dana <dana@fbi.example>', 'fox@fbi.example'], cc: ['"Skinner, W." <walter@fbi.example>'] }) });
    const bad = validateIncoming(row({ to: ['Dana <dana@fbi>', 'x <y@z.example> trailing', '<>'] }));
    expect(bad).toEqual({ ok: false, errors: [{ field: 'to', message: expect.stringMatching(/^to has invalid addresses/) }] });
  });

  // The former patterns took 22 s on 200k characters of these.
  it.each([
    ['a run of "<"', (n: number) => '<'.repeat(n) + '>'],
    ['a run of "<a"', (n: number) => '<a'.repeat(n / 2) + '>'],
    ['a domain of dots', (n: number) => `a@${'b.'.repeat(n / 2)}@`],
  ])('checks an address of %s in linear time (64k -> 256k characters)', async (_name, make) => {
    await expectLinear((to: string) => validateIncoming(row({ to: [to], cc: [to] })), make, { n: 64 * 1024 });
    await expectLinear((email: string) => validateIncoming(row({ author: { email } })), make, { n: 64 * 1024 });
  });
});
