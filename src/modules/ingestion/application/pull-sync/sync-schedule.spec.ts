import { dueSources, nextSyncAt, SchedulableSource, syncIntervalMinutes } from './sync-schedule';

const NOW = new Date('2026-03-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
const source = (id: string, attemptedMinutesAgo: number | null, config: Record<string, unknown> = {}, createdMinutesAgo = 1000): SchedulableSource => ({
  id,
  kind: 'chatwoot',
  config,
  sync_attempted_at: attemptedMinutesAgo === null ? null : minutesAgo(attemptedMinutesAgo),
  created_at: minutesAgo(createdMinutesAgo),
});

describe('pull sync due selection', () => {
  it('takes the source interval from config.syncIntervalMinutes, else the default; an unusable value falls back to the default', () => {
    expect(syncIntervalMinutes({ syncIntervalMinutes: 5 }, 15)).toBe(5);
    expect(syncIntervalMinutes({}, 15)).toBe(15);
    expect(syncIntervalMinutes(null, 30)).toBe(30);
    for (const bad of [0, -3, 1441, 2.5, '5', null]) expect(syncIntervalMinutes({ syncIntervalMinutes: bad }, 15)).toBe(15);
  });

  it('is due once its last attempt plus its own interval has passed, each source at its own rhythm', () => {
    const fast = source('fast', 6, { syncIntervalMinutes: 5 });
    const slow = source('slow', 6, { syncIntervalMinutes: 60 });
    const byDefault = source('default', 14);
    const exactly = source('exactly', 15);
    expect(dueSources([fast, slow, byDefault, exactly], NOW, 15).map((s) => s.id)).toEqual(['fast', 'exactly']);
    expect(nextSyncAt(slow, 15).toISOString()).toBe(new Date(NOW.getTime() + 54 * 60_000).toISOString());
    // An hour later every one of them is due.
    expect(dueSources([fast, slow, byDefault, exactly], new Date(NOW.getTime() + 3_600_000), 15)).toHaveLength(4);
  });

  it('starts never-synced sources first (oldest first), then the longest overdue', () => {
    const rows = [source('overdue-a-bit', 16), source('new-young', null, {}, 1), source('overdue-long', 600), source('new-old', null, {}, 50)];
    expect(dueSources(rows, NOW, 15).map((s) => s.id)).toEqual(['new-old', 'new-young', 'overdue-long', 'overdue-a-bit']);
    // A source never attempted is due since it was created.
    expect(nextSyncAt(rows[1], 15).toISOString()).toBe(minutesAgo(1));
  });
});
