import { localDay, resolveDueDate } from './due-date';

/** Wednesday 4 March 2026, mid-morning in London. */
const WEDNESDAY = '2026-03-04T09:30:00+00:00';
/** Friday 6 March 2026, late afternoon. */
const FRIDAY = '2026-03-06T17:00:00+00:00';

const due = (text: string, sentAt = WEDNESDAY) => resolveDueDate(text, sentAt)?.date ?? null;

describe('due dates, resolved against the time the message was sent', () => {
  it.each([
    ["I'll fix the export tomorrow", '2026-03-05'],
    ['can you deploy it by Friday?', '2026-03-06'],
    ['send the invoice EOD', '2026-03-04'],
    ['hotfix tonight', '2026-03-04'],
    ['I will update the docs by end of week', '2026-03-06'],
    ['done by the end of the month please', '2026-03-31'],
    ['next Friday works for the demo', '2026-03-13'],
    ['I will send the estimate next week', '2026-03-13'],
    ['finish the migration in two days', '2026-03-06'],
    ['the day after tomorrow is fine', '2026-03-06'],
    ['submit it by March 10', '2026-03-10'],
    ['submit it by the 10th of March', '2026-03-10'],
    ['deadline 2026-04-01', '2026-04-01'],
    ['need the numbers by 5pm', '2026-03-04'],
  ])('%p -> %s', (text, date) => {
    expect(due(text)).toBe(date);
  });

  it('keeps the phrase as written, with its lead word', () => {
    expect(resolveDueDate('Could you send it By Friday?', WEDNESDAY)).toEqual({ date: '2026-03-06', phrase: 'By Friday' });
  });

  it('a weekday named on that same weekday is the one a week on', () => {
    expect(due('on Wednesday I will send it')).toBe('2026-03-11');
  });

  it('across a week end: said on a Friday, "tomorrow" is Saturday, "Monday" and "next week" are in the following week', () => {
    expect(due("I'll do it tomorrow", FRIDAY)).toBe('2026-03-07');
    expect(due('by Monday please', FRIDAY)).toBe('2026-03-09');
    expect(due('I will look at it next week', FRIDAY)).toBe('2026-03-13');
    expect(due('end of week', FRIDAY)).toBe('2026-03-06');
    // On a Saturday, "end of week" is the coming Friday.
    expect(due('end of week', '2026-03-07T10:00:00+00:00')).toBe('2026-03-13');
  });

  it('a date without a year already past this year is next year', () => {
    expect(due('submit it by March 3')).toBe('2027-03-03');
  });

  it("reads the calendar day of the writer's offset, not UTC", () => {
    // 23:30 in New York is already 04:30 the next day in UTC.
    expect(localDay('2026-03-04T23:30:00-05:00')).toBe(localDay('2026-03-04T12:00:00Z'));
    expect(due('tomorrow', '2026-03-04T23:30:00-05:00')).toBe('2026-03-05');
    // 01:00 in Tokyo is still the previous day in UTC.
    expect(due('tomorrow', '2026-03-05T01:00:00+09:00')).toBe('2026-03-06');
  });

  it.each([
    "I'll fix the export",
    'I fixed it yesterday',
    'we met last Friday',
    'asap please',
    'by February 30',
    'the sun is out, we sat outside',
    'version 2.4 is out',
    'next sprint maybe',
  ])('no date when the text states none (%p)', (text) => {
    expect(due(text)).toBeNull();
  });

  it('refuses a timestamp that is not one', () => {
    expect(() => resolveDueDate('tomorrow', 'yesterday-ish')).toThrow('not an ISO timestamp');
  });
});
