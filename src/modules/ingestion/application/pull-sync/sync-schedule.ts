import { MAX_SYNC_INTERVAL_MINUTES, MIN_SYNC_INTERVAL_MINUTES } from '@modules/ingestion/domain/source/source.decider';

/** What the due selection reads of a source (a row of ingestion_sources_view). */
export interface SchedulableSource {
  id: string;
  kind: string;
  config: Record<string, unknown> | null;
  sync_attempted_at: string | Date | null;
  created_at: string | Date;
}

/** The source's interval between two sync attempts: its `config.syncIntervalMinutes`, else the default (PULL_SYNC_DEFAULT_INTERVAL_MINUTES). */
export function syncIntervalMinutes(config: Record<string, unknown> | null | undefined, defaultMinutes: number): number {
  const v = config?.syncIntervalMinutes;
  // The decider checks the setting on write; a config from before it (or edited by hand) falls back to the default.
  return typeof v === 'number' && Number.isInteger(v) && v >= MIN_SYNC_INTERVAL_MINUTES && v <= MAX_SYNC_INTERVAL_MINUTES ? v : defaultMinutes;
}

/** When the source is next due: its last attempt plus its interval; a source never attempted is due since it was created. */
export function nextSyncAt(s: SchedulableSource, defaultMinutes: number): Date {
  if (s.sync_attempted_at === null) return new Date(s.created_at);
  return new Date(new Date(s.sync_attempted_at).getTime() + syncIntervalMinutes(s.config, defaultMinutes) * 60_000);
}

/**
 * The sources due at `now` (last attempt + interval <= now), in the order they should start:
 * never attempted first (oldest source first), then the longest overdue. Each source keeps its
 * own rhythm whatever the tick (PULL_SYNC_CRON) is.
 */
export function dueSources<T extends SchedulableSource>(sources: T[], now: Date, defaultMinutes: number): T[] {
  const at = now.getTime();
  return sources
    .map((s) => ({ s, next: nextSyncAt(s, defaultMinutes).getTime(), never: s.sync_attempted_at === null }))
    .filter((x) => x.next <= at)
    .sort((a, b) => Number(b.never) - Number(a.never) || a.next - b.next || a.s.id.localeCompare(b.s.id))
    .map((x) => x.s);
}
