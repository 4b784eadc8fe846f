import { higherPriority, prioritizeTask } from './task-priority';

describe('task priority from urgency words', () => {
  it.each([
    ['URGENT: checkout is broken', 'urgent'],
    ['fix it asap', 'urgent'],
    ['this is a blocker for the release', 'urgent'],
    ['P0 - prod API returns 503', 'urgent'],
    ['production is down, please restart', 'urgent'],
    ['please merge it today', 'high'],
    ['need it by EOD', 'high'],
    ['P1 ticket for the login page', 'high'],
    ['when you have time, update the docs', 'low'],
    ['no rush, whenever you can', 'low'],
    ['not urgent: rename the channel', 'low'],
    ["I'll fix the export tomorrow", 'medium'],
    ['please review my PR', 'medium'],
  ])('%p -> %s', (text, priority) => {
    expect(prioritizeTask({ text })).toBe(priority);
  });

  it('a deadline of the day the message was sent is high, though no urgency word says so', () => {
    expect(prioritizeTask({ text: 'by 5pm', dueDate: '2026-03-04', sentDate: '2026-03-04' })).toBe('high');
    expect(prioritizeTask({ text: 'by Friday', dueDate: '2026-03-06', sentDate: '2026-03-04' })).toBe('medium');
  });

  it('the higher of two', () => {
    expect(higherPriority('medium', 'urgent')).toBe('urgent');
    expect(higherPriority('high', 'low')).toBe('high');
  });
});
