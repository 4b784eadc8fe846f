import { parseGroupBy, reportRange, USAGE_GROUP_KEYS, utcDaysOf } from './usage-report';

const now = new Date('2026-12-03T10:15:00Z');

describe('usage report range', () => {
  it('is the current UTC month up to now by default; from the month `to` closes when only `to` is given', () => {
    expect(reportRange({}, now)).toEqual({ range: { from: new Date('2026-12-01T00:00:00Z'), to: now }, problem: null });
    // Midnight of Dec 1 closes November.
    expect(reportRange({ to: '2026-12-01T00:00:00.000Z' }, now).range.from).toEqual(new Date('2026-11-01T00:00:00Z'));
    expect(reportRange({ from: '2020-01-01T00:00:00.000Z' }, now)).toEqual({ range: { from: new Date('2020-01-01T00:00:00Z'), to: now }, problem: null });
  });

  it('refuses a range written backwards or empty; a default that meets the other end is an empty range', () => {
    expect(reportRange({ from: '2026-12-02T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' }, now).problem).toEqual({ field: 'to', message: 'must be after from' });
    expect(reportRange({ from: '2026-12-02T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' }, now).problem).not.toBeNull();
    const future = reportRange({ from: '2027-01-01T00:00:00.000Z' }, now);
    expect(future).toEqual({ range: { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') }, problem: null });
  });

  it('touches the UTC days from the day of `from` to the day of the last instant before `to`', () => {
    expect(utcDaysOf({ from: new Date('2026-11-02T10:00:00Z'), to: new Date('2026-11-04T00:00:00Z') })).toEqual({
      firstDay: '2026-11-02',
      lastDay: '2026-11-03',
      start: new Date('2026-11-02T00:00:00Z'),
      end: new Date('2026-11-04T00:00:00Z'),
    });
    expect(utcDaysOf({ from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-04T00:00:01Z') }).lastDay).toBe('2026-11-04');
  });
});

describe('groupBy', () => {
  it('takes comma lists and repeated parameters, in the order given', () => {
    expect(parseGroupBy('day,model', USAGE_GROUP_KEYS)).toEqual({ keys: ['day', 'model'], problem: null });
    expect(parseGroupBy(['workflow', 'day, provider'], USAGE_GROUP_KEYS)).toEqual({ keys: ['workflow', 'day', 'provider'], problem: null });
    expect(parseGroupBy(undefined, USAGE_GROUP_KEYS)).toEqual({ keys: [], problem: null });
    expect(parseGroupBy('', USAGE_GROUP_KEYS)).toEqual({ keys: [], problem: null });
  });

  it('refuses an unknown key or one named twice', () => {
    expect(parseGroupBy('day,colour', USAGE_GROUP_KEYS).problem).toMatch(/unknown key "colour"/);
    expect(parseGroupBy('day,day', USAGE_GROUP_KEYS).problem).toMatch(/"day" is named twice/);
    expect(parseGroupBy('workspace', USAGE_GROUP_KEYS).problem).toMatch(/unknown key "workspace"/);
  });
});
