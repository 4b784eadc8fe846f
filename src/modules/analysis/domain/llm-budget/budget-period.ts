/**
 * The period a workspace budget covers: the calendar month (UTC) of an instant. UTC, not the
 * workspace's zone: provider invoices are by UTC month, and a month boundary must not move with
 * whoever asks.
 */
export interface BudgetPeriod {
  /** Inclusive. */
  start: Date;
  /** Exclusive: the first instant of the next month. */
  end: Date;
}

export function budgetPeriodOf(now: Date): BudgetPeriod {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
}

/**
 * Over budget once the month's spend passes the limit. Reaching it exactly is not yet over (the
 * next paid call passes it), and a limit of 0 stops anything that costs money while the free
 * offline engine (cost 0) still runs. Sums of float costs are compared at a nano-dollar.
 */
export function isOverBudget(limitUsd: number | null, spentUsd: number): boolean {
  if (limitUsd === null) return false;
  return Math.round(spentUsd * 1e9) > Math.round(limitUsd * 1e9);
}
