import { ApplicationError } from '@libs/common/errors/application-error';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { Queryable } from './event-store.types';

export interface EventPartitionInfo {
  name: string;
  /** Inclusive lower bound; null for the DEFAULT partition. */
  from: string | null;
  /** Exclusive upper bound; null for the DEFAULT partition. */
  to: string | null;
  isDefault: boolean;
  rows: number;
  totalBytes: number;
}

export class PartitionError extends ApplicationError {
  readonly code = 'EVENT_STORE.PARTITION_REFUSED';
}
registerErrorStatuses({ 'EVENT_STORE.PARTITION_REFUSED': 422 });

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Monthly partitions of `events`: create ahead, list with counts, detach a month for archive. */
export class EventPartitions {
  constructor(private readonly db: Queryable) {}

  /** Creates the partitions of this month and the next `monthsAhead`; returns the new ones. */
  async ensureAhead(monthsAhead: number, from: Date = new Date()): Promise<string[]> {
    const res = await this.db.query<{ name: string }>(
      'SELECT es_ensure_event_partitions($1, $2) AS name',
      [monthsAhead, from],
    );
    return res.rows.map((r) => r.name);
  }

  async list(): Promise<EventPartitionInfo[]> {
    const parts = await this.db.query<{ name: string; bound: string; bytes: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
              pg_total_relation_size(c.oid) AS bytes
         FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass
        ORDER BY c.relname`,
    );
    const out: EventPartitionInfo[] = [];
    for (const p of parts.rows) {
      const count = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(p.name)}`);
      const m = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(p.bound);
      out.push({
        name: p.name,
        from: m ? new Date(m[1]).toISOString() : null,
        to: m ? new Date(m[2]).toISOString() : null,
        isDefault: p.bound === 'DEFAULT',
        rows: Number(count.rows[0].n),
        totalBytes: Number(p.bytes),
      });
    }
    // Chronological, DEFAULT last.
    return out.sort((a, b) => (a.from ?? '9999').localeCompare(b.from ?? '9999'));
  }

  /**
   * Detaches one past month (YYYY-MM) and renames it `archived_events_yYYYYmMM`, so it can be
   * dumped and dropped at leisure. Its events leave every query of the live log.
   */
  async detachMonth(month: string, now: Date = new Date()): Promise<{ archivedTable: string; rows: number }> {
    const m = MONTH.exec(month);
    if (!m) throw new PartitionError(`Month must look like 2026-01, got "${month}"`);
    const monthStart = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
    const currentStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    if (monthStart >= currentStart) {
      throw new PartitionError(`Only past months can be detached; ${month} is not over yet`);
    }
    const name = `events_y${m[1]}m${m[2]}`;
    const found = await this.db.query(
      `SELECT 1 FROM pg_inherits WHERE inhparent = 'events'::regclass AND inhrelid = to_regclass($1)`,
      [name],
    );
    if (found.rows.length === 0) throw new PartitionError(`No attached partition for ${month}`);
    const count = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(name)}`);
    const archived = `archived_${name}`;
    await this.db.query(`ALTER TABLE events DETACH PARTITION ${quoteIdent(name)}`);
    await this.db.query(`ALTER TABLE ${quoteIdent(name)} RENAME TO ${quoteIdent(archived)}`);
    return { archivedTable: archived, rows: Number(count.rows[0].n) };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
