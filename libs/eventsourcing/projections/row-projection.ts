import { Queryable, RecordedEvent } from '@libs/event-store/event-store.types';

export type ProjectionRow = Record<string, unknown>;
export type RowHandler<Row extends ProjectionRow> = (row: Row | null, event: RecordedEvent) => Row | null;

/**
 * A read model as evolve functions over one row per key (emmett style): a handler per event
 * type takes the current row (or null) and returns the next one (or null to delete it).
 * Because handlers are pure over rows, the runtime can apply a whole batch set-based (one
 * SELECT, one multi-row upsert, one DELETE), and a rebuild runs the very same code into a
 * shadow table: the result cannot differ from incremental processing.
 */
export abstract class RowProjection<Row extends ProjectionRow = ProjectionRow> {
  /** Stable name: the subscription's name and the admin API's handle. */
  abstract readonly name: string;
  /** The read-model table (created by a migration), with a primary key on `keyColumn`. */
  abstract readonly table: string;
  readonly keyColumn: string = 'id';
  /** inline: inside the append transaction (read-your-writes); async: by a durable subscription. */
  readonly mode: 'inline' | 'async' = 'async';
  /** per-stream: a failing event parks the later events of its stream too, so rows never skip a step. */
  readonly ordering: 'per-stream' | 'none' = 'per-stream';
  /** Handlers by event type; `'*'` handles every type without its own handler. */
  abstract readonly handlers: Record<string, RowHandler<Row>>;

  /** Which row an event changes; the stream by default. `null`: this event is not about any row of ours. */
  keyOf(event: RecordedEvent): string | null {
    return event.streamId;
  }

  /** The types to read from the log; undefined = all of them (a `'*'` handler). */
  get eventTypes(): string[] | undefined {
    return this.handlers['*'] ? undefined : Object.keys(this.handlers);
  }

  handlerFor(type: string): RowHandler<Row> | undefined {
    return this.handlers[type] ?? this.handlers['*'];
  }
}

const columnCache = new Map<string, string[]>();

async function columnsOf(db: Queryable, table: string): Promise<string[]> {
  const cached = columnCache.get(table);
  if (cached) return cached;
  const res = await db.query<{ column_name: string }>(
    // Generated columns (e.g. a tsvector for full-text search) are computed by PostgreSQL, never written.
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    [table],
  );
  if (res.rows.length === 0) throw new Error(`Read model table ${table} does not exist`);
  const cols = res.rows.map((r) => r.column_name);
  columnCache.set(table, cols);
  return cols;
}

export function forgetColumns(table: string): void {
  columnCache.delete(table);
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Applies events to a row projection inside the caller's transaction, set-based.
 * `table` defaults to the live table; rebuilds pass their shadow table.
 */
export async function applyRowProjection(
  projection: RowProjection<any>,
  events: RecordedEvent[],
  tx: Queryable,
  table: string = projection.table,
): Promise<number> {
  const relevant = events.filter((e) => projection.handlerFor(e.type) && projection.keyOf(e) !== null);
  if (relevant.length === 0) return 0;
  const keys = [...new Set(relevant.map((e) => projection.keyOf(e)!))];
  const key = projection.keyColumn;
  const existing = await tx.query(`SELECT * FROM ${ident(table)} WHERE ${ident(key)} = ANY($1)`, [keys]);
  const rows = new Map<string, ProjectionRow | null>();
  for (const r of existing.rows) rows.set(String(r[key]), r);
  const existed = new Set(rows.keys());
  for (const e of relevant) {
    const k = projection.keyOf(e)!;
    const next = projection.handlerFor(e.type)!(rows.get(k) ?? null, e);
    if (next !== null && String(next[key]) !== k) {
      throw new Error(`Projection ${projection.name}: handler for ${e.type} changed the row key from ${k}`);
    }
    rows.set(k, next);
  }
  const upserts = [...rows.values()].filter((r): r is ProjectionRow => r !== null);
  const deletes = [...rows.entries()].filter(([k, r]) => r === null && existed.has(k)).map(([k]) => k);
  if (upserts.length) {
    const cols = await columnsOf(tx, projection.table);
    const set = cols.filter((c) => c !== key).map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`);
    await tx.query(
      `INSERT INTO ${ident(table)} (${cols.map(ident).join(', ')})
       SELECT ${cols.map(ident).join(', ')} FROM jsonb_populate_recordset(NULL::${ident(table)}, $1::jsonb)
       ON CONFLICT (${ident(key)}) DO ${set.length ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}`,
      [JSON.stringify(upserts)],
    );
  }
  if (deletes.length) await tx.query(`DELETE FROM ${ident(table)} WHERE ${ident(key)} = ANY($1)`, [deletes]);
  return relevant.length;
}
