/**
 * What a usage report may group by, and the range it covers. Pure: the SQL that reads
 * llm_usage_logs lives in infrastructure/usage.queries.ts.
 */
export const USAGE_GROUP_KEYS = ['day', 'model', 'workflow', 'node', 'provider', 'operation'] as const;
export type UsageGroupKey = (typeof USAGE_GROUP_KEYS)[number];

/** The admin report across workspaces may also group by workspace. */
export const ADMIN_USAGE_GROUP_KEYS = ['workspace', ...USAGE_GROUP_KEYS] as const;
export type AdminUsageGroupKey = (typeof ADMIN_USAGE_GROUP_KEYS)[number];

/** A year and a day: a report over a leap year fits, a report over "all time" does not. */
export const MAX_REPORT_DAYS = 366;
const DAY_MS = 86_400_000;

export interface ReportRange {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** Why a range is refused (the field and what is wrong), or null when it is fine. */
export type RangeProblem = { field: 'from' | 'to'; message: string } | null;

/**
 * The range a report covers: `from` inclusive, `to` exclusive, as given; by default the current
 * UTC calendar month up to now (the budget's period), or the MAX_REPORT_DAYS before `to`.
 */
export function reportRange(input: { from?: string; to?: string }, now: Date): { range: ReportRange; problem: RangeProblem } {
  const to = input.to ? new Date(input.to) : now;
  const from = input.from ? new Date(input.from) : input.to ? new Date(to.getTime() - MAX_REPORT_DAYS * DAY_MS) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const range = { from, to };
  if (from.getTime() >= to.getTime()) return { range, problem: { field: 'to', message: 'must be after from' } };
  if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY_MS) return { range, problem: { field: 'from', message: `the range may cover at most ${MAX_REPORT_DAYS} days` } };
  return { range, problem: null };
}

/** The UTC days a range touches: from the day of `from` to the day that holds the last instant before `to`. */
export function utcDaysOf(range: ReportRange): { firstDay: string; lastDay: string; start: Date; end: Date } {
  const start = new Date(Math.floor(range.from.getTime() / DAY_MS) * DAY_MS);
  const end = new Date(Math.ceil(range.to.getTime() / DAY_MS) * DAY_MS);
  return { firstDay: start.toISOString().slice(0, 10), lastDay: new Date(end.getTime() - DAY_MS).toISOString().slice(0, 10), start, end };
}

/**
 * `?groupBy=day,model` (or repeated `groupBy=`) as keys in the order given; an unknown key or one
 * named twice is a problem. An empty value groups by nothing (totals only).
 */
export function parseGroupBy<K extends string>(value: string | string[] | undefined, allowed: readonly K[]): { keys: K[]; problem: string | null } {
  const parts = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const keys: K[] = [];
  for (const p of parts) {
    if (!(allowed as readonly string[]).includes(p)) return { keys, problem: `unknown key "${p.slice(0, 40)}": use any of ${allowed.join(', ')}, separated by commas` };
    if (keys.includes(p as K)) return { keys, problem: `"${p}" is named twice` };
    keys.push(p as K);
  }
  return { keys, problem: null };
}
