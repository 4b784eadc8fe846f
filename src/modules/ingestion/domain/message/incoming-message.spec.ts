import { expectLinear } from '@test/support/linearity';
import { isEmailAddress, parseTimestamp, validateIncoming } from './incoming-message';
import { parseMailDate } from './mail-date';

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

describe('parseTimestamp: what Slack, Telegram, CSV and NDJSON exports write (issue 12)', () => {
  it.each([
    // Epoch seconds (Slack's ts has microseconds after the dot), milliseconds, microseconds.
    [1700000000, '2023-11-14T22:13:20.000Z'],
    ['1700000000', '2023-11-14T22:13:20.000Z'],
    ['1700000000.000100', '2023-11-14T22:13:20.000Z'],
    ['1700000000.250100', '2023-11-14T22:13:20.250Z'],
    [1700000000123, '2023-11-14T22:13:20.123Z'],
    ['1700000000123', '2023-11-14T22:13:20.123Z'],
    ['1700000000123456', '2023-11-14T22:13:20.123Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    // ISO 8601, with or without a zone (none reads as UTC).
    ['2024-01-02T10:00:00Z', '2024-01-02T10:00:00.000Z'],
    ['2024-01-02T10:00:00.5+01:00', '2024-01-02T09:00:00.500Z'],
    ['2024-01-02T10:00:00', '2024-01-02T10:00:00.000Z'],
    ['2024-01-02', '2024-01-02T00:00:00.000Z'],
    // What CSV exports write.
    ['2024-01-02 10:00:00', '2024-01-02T10:00:00.000Z'],
    ['2024/01/02 10:00', '2024-01-02T10:00:00.000Z'],
    ['01/02/2024 10:00 AM', '2024-01-02T10:00:00.000Z'],
    ['01/02/2024 10:00 PM', '2024-01-02T22:00:00.000Z'],
    ['1/2/24 9:05', '2024-01-02T09:05:00.000Z'],
    ['13/02/2024 10:00', '2024-02-13T10:00:00.000Z'],
    ['02.01.2024 10:00', '2024-01-02T10:00:00.000Z'],
    ['  2024-01-02 10:00:00 UTC  ', '2024-01-02T10:00:00.000Z'],
    // RFC 2822 dates (mail exports), JavaScript's Date#toString.
    ['Tue, 2 Jan 2024 10:00:00 +0100', '2024-01-02T09:00:00.000Z'],
    ['Tue, 02 Jan 0124 10:00:00 -0500', '2024-01-02T15:00:00.000Z'],
    ['Tue Jan 02 2024 10:00:00 GMT+0100 (Central European Standard Time)', '2024-01-02T09:00:00.000Z'],
  ])('reads %j', (v, iso) => {
    expect(parseTimestamp(v)).toBe(iso);
  });

  it.each([
    [''], ['   '], ['yesterday'], ['not a date'], ['2024-13-45'], ['2024-02-30 10:00'], ['32/01/2024'], ['13/13/2024'], ['abc123'],
    ['10:00'], ['1.2.3.4'], ['-1700000000'], [-1], [1e20], ['9'.repeat(400)], [Infinity], [NaN], [null], [undefined], [true], [{}], [['2024-01-02']],
    ['1969-12-31T23:59:59Z'], ['2201-01-01T00:00:00Z'],
  ])('refuses %j', (v) => {
    expect(parseTimestamp(v)).toBeNull();
  });

  it('reads the canonical ISO form (its shortcut) exactly as the general parser does', () => {
    const samples = ['1970-01-01T00:00:00.000Z', '2200-12-31T23:59:59.999Z', '2201-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2024-02-29T12:00:00.000Z', '2024-02-30T00:00:00.000Z', '2023-02-29T00:00:00.000Z', '2024-01-02T24:00:00.000Z', '2024-01-02T10:60:00.000Z'];
    for (let i = 0; i < 200; i++) samples.push(new Date(Date.UTC(1960, 0, 1) + Math.floor(Math.random() * 8e12)).toISOString());
    for (const s of samples) expect([s, parseTimestamp(s)]).toEqual([s, parseMailDate(s)]);
  });

  it('reports a sentAt it cannot read as an error of the row, never throws', () => {
    expect(validateIncoming(row({ sentAt: 'Fri, 07 Jun 0102 08:46:41 +0900' }))).toEqual({ ok: true, value: expect.objectContaining({ sentAt: '2002-06-06T23:46:41.000Z' }) });
    expect(validateIncoming(row({ sentAt: 8.64e18 }))).toEqual({ ok: false, errors: [{ field: 'sentAt', message: expect.stringMatching(/^sentAt must be/) }] });
    expect(validateIncoming(row({ sentAt: 'sometime' }))).toEqual({ ok: false, errors: [{ field: 'sentAt', message: expect.stringMatching(/^sentAt must be/) }] });
  });
});
