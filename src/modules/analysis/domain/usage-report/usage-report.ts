/**
 * What a usage report may group by, and the range it covers. Pure: the SQL that reads
 * llm_usage_logs lives in infrastructure/usage.queries.ts.
 */
export const USAGE_GROUP_KEYS = ['day', 'model', 'workflow', 'node', 'provider', 'operation'] as const;
export type UsageGroupKey = (typeof USAGE_GROUP_KEYS)[number];

/** The admin report across workspaces may also group by workspace. */
export const ADMIN_USAGE_GROUP_KEYS = ['workspace', ...USAGE_GROUP_KEYS] as const;
export type AdminUsageGroupKey = (typeof ADMIN_USAGE_GROUP_KEYS)[number];

const DAY_MS = 86_400_000;

export interface ReportRange {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** Why a range is refused (the field and what is wrong), or null when it is fine. */
export type RangeProblem = { field: 'from' | 'to'; message: string } | null;

const monthStartOf = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));

/**
 * The range a report covers: `from` inclusive, `to` exclusive. By default `to` is now and `from`
 * the start of the UTC calendar month `to` closes (the budget's period). Only a range the client
 * wrote backwards is refused; a default that meets the other end (a `from` in the future) is an
 * empty range. No cap on its length: the groups are capped (MAX_REPORT_GROUPS), pages are paged.
 */
export function reportRange(input: { from?: string; to?: string }, now: Date): { range: ReportRange; problem: RangeProblem } {
  const to = input.to ? new Date(input.to) : now;
  const from = input.from ? new Date(input.from) : monthStartOf(new Date(to.getTime() - 1));
  if (input.from && input.to && from.getTime() >= to.getTime()) return { range: { from, to }, problem: { field: 'to', message: 'must be after from' } };
  return { range: { from, to: new Date(Math.max(from.getTime(), to.getTime())) }, problem: null };
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
