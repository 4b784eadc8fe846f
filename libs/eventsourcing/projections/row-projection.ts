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

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * How a column's values travel to PostgreSQL in the upsert: `scalar` as a typed array
 * (`$n::uuid[]`, `$n::timestamptz[]`...), `json` as each value's JSON, `populate` (arrays,
 * composites, domains, ranges) as `{"column": value}` read by jsonb_populate_record, as every
 * column was before: typed arrays parse far faster than one big JSON document.
 */
interface WritableColumn {
  name: string;
  /** format_type(): `timestamp with time zone`, `numeric(10,2)`, `text[]`... */
  type: string;
  encoding: 'scalar' | 'json' | 'populate';
}

const columnCache = new Map<string, WritableColumn[]>();

async function columnsOf(db: Queryable, table: string): Promise<WritableColumn[]> {
  const cached = columnCache.get(table);
  if (cached) return cached;
  const res = await db.query<{ name: string; type: string; typtype: string; typcategory: string; typname: string }>(
    // Generated columns (e.g. a tsvector for full-text search) are computed by PostgreSQL, never written.
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typtype, t.typcategory, t.typname
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [table],
  );
  if (res.rows.length === 0) throw new Error(`Read model table ${table} does not exist`);
  const cols = res.rows.map((r): WritableColumn => ({
    name: r.name,
    type: r.type,
    encoding:
      r.typname === 'json' || r.typname === 'jsonb'
        ? 'json'
        : (r.typtype === 'b' && r.typcategory !== 'A') || r.typtype === 'e'
          ? 'scalar'
          : 'populate',
  }));
  columnCache.set(table, cols);
  return cols;
}

export function forgetColumns(table: string): void {
  columnCache.delete(table);
}

/** A value as its JSON would read into a non-JSON column (what jsonb_populate_record did): Dates as ISO strings, objects as JSON text. */
function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // What JSON.stringify gives a Date, without the stringify and parse (two per row and page).
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined || json === 'null') return null;
  return json.startsWith('"') ? (JSON.parse(json) as string) : json;
}

const jsonText = (value: unknown): string | null => (value === null || value === undefined ? null : (JSON.stringify(value) ?? null));

/** One array per column, in `cols` order: the upsert's parameters. */
function columnArrays(rows: ProjectionRow[], cols: WritableColumn[]): (string | null)[][] {
  return cols.map((c) => {
    const out = new Array<string | null>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i][c.name];
      if (c.encoding === 'scalar') out[i] = scalarText(v);
      else if (c.encoding === 'json') out[i] = jsonText(v);
      else out[i] = v === null || v === undefined ? null : JSON.stringify({ [c.name]: v });
    }
    return out;
  });
}

// Per column list (dropped with it by forgetColumns), per target table and key.
const upsertSqlCache = new WeakMap<WritableColumn[], Map<string, string>>();

function upsertSql(table: string, key: string, cols: WritableColumn[]): string {
  let byTable = upsertSqlCache.get(cols);
  if (!byTable) upsertSqlCache.set(cols, (byTable = new Map()));
  const cached = byTable.get(`${table}\u0000${key}`);
  if (cached) return cached;
  // JSON travels as text[] cast row by row: a jsonb[] parameter parses about ten times slower.
  const params = cols.map((c, i) => `$${i + 1}::${c.encoding === 'scalar' ? c.type : 'text'}[]`).join(', ');
  const values = cols.map((c, i) =>
    c.encoding === 'scalar' ? `u.c${i}` : c.encoding === 'json' ? `u.c${i}::${c.type}` : `(jsonb_populate_record(NULL::${ident(table)}, u.c${i}::jsonb)).${ident(c.name)}`,
  );
  const set = cols.filter((c) => c.name !== key).map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`);
  const sql = `INSERT INTO ${ident(table)} (${cols.map((c) => ident(c.name)).join(', ')})
     SELECT ${values.join(', ')} FROM unnest(${params}) AS u(${cols.map((_, i) => `c${i}`).join(', ')})
     ON CONFLICT (${ident(key)}) DO ${set.length ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}`;
  byTable.set(`${table}\u0000${key}`, sql);
  return sql;
}

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
  // Handler and key looked up once per event (this runs for every event of a catch-up).
  const relevant: { e: RecordedEvent; k: string; handle: RowHandler<any> }[] = [];
  for (const e of events) {
    const handle = projection.handlerFor(e.type);
    if (!handle) continue;
    const k = projection.keyOf(e);
    if (k !== null) relevant.push({ e, k, handle });
  }
  if (relevant.length === 0) return 0;
  const keys = [...new Set(relevant.map((r) => r.k))];
  const key = projection.keyColumn;
  const existing = await tx.query(`SELECT * FROM ${ident(table)} WHERE ${ident(key)} = ANY($1)`, [keys]);
  const rows = new Map<string, ProjectionRow | null>();
  for (const r of existing.rows) rows.set(String(r[key]), r);
  const existed = new Set(rows.keys());
  for (const { e, k, handle } of relevant) {
    const next = handle(rows.get(k) ?? null, e);
    if (next !== null && String(next[key]) !== k) {
      throw new Error(`Projection ${projection.name}: handler for ${e.type} changed the row key from ${k}`);
    }
    rows.set(k, next);
  }
  const upserts = [...rows.values()].filter((r): r is ProjectionRow => r !== null);
  const deletes = [...rows.entries()].filter(([k, r]) => r === null && existed.has(k)).map(([k]) => k);
  if (upserts.length) {
    // Columns of the live table: a rebuild's shadow is a copy of it.
    const cols = await columnsOf(tx, projection.table);
    await tx.query(upsertSql(table, key, cols), columnArrays(upserts, cols));
  }
  if (deletes.length) await tx.query(`DELETE FROM ${ident(table)} WHERE ${ident(key)} = ANY($1)`, [deletes]);
  return relevant.length;
}
