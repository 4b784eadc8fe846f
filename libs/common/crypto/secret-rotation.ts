import { EncryptedColumn, EncryptedColumns, quoteQualified } from './encrypted-columns';
import { SecretBox, SecretBoxError } from './secret-box';

/** The slice of pg's Pool / PoolClient this needs (libs/common does not depend on the event store). */
export interface SqlQueryable {
  query<R extends Record<string, any> = any>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface ColumnRotation {
  table: string;
  column: string;
  /** Values found under another key than the active one. */
  found: number;
  reencrypted: number;
  /** Changed (or erased) by someone else between read and write: left alone, the writer used the active key. */
  skippedConcurrent: number;
  /** Tokens no key of the ring opens (or malformed): they stay as they are, and the command fails. */
  unreadable: { id: string; reason: string }[];
  /** Count by key id after the run. */
  keysAfter: Record<string, number>;
}

export interface RotationSummary {
  activeKeyId: string;
  columns: ColumnRotation[];
  reencrypted: number;
  unreadable: number;
  /** Key ids still referenced by some value: only keys NOT listed here may leave the ring. */
  keysStillInUse: string[];
}

export interface RotationProgress {
  table: string;
  column: string;
  done: number;
  total: number;
}

/**
 * Re-encrypts every registered column value not under the active key, in keyset batches of
 * `batchSize` rows, each batch its own short transaction (no long lock, resumable: a rerun
 * simply finds what is left). A write is a compare-and-set on the old token, so a value changed
 * meanwhile by the application (which always writes under the active key) is never overwritten.
 */
export class SecretRotation {
  constructor(
    private readonly db: SqlQueryable,
    private readonly box: SecretBox,
    private readonly columns: EncryptedColumns,
  ) {}

  async status(): Promise<{ activeKeyId: string; columns: { table: string; column: string; keys: Record<string, number> }[] }> {
    const out = [];
    for (const c of this.columns.list()) out.push({ table: c.table, column: c.column, keys: await this.countByKey(c) });
    return { activeKeyId: this.box.activeKeyId, columns: out };
  }

  async rotate(options: { batchSize?: number; onProgress?: (p: RotationProgress) => void } = {}): Promise<RotationSummary> {
    const batchSize = options.batchSize ?? 500;
    const results: ColumnRotation[] = [];
    for (const c of this.columns.list()) results.push(await this.rotateColumn(c, batchSize, options.onProgress));
    const inUse = new Set(results.flatMap((r) => Object.keys(r.keysAfter)));
    return {
      activeKeyId: this.box.activeKeyId,
      columns: results,
      reencrypted: results.reduce((n, r) => n + r.reencrypted, 0),
      unreadable: results.reduce((n, r) => n + r.unreadable.length, 0),
      keysStillInUse: [...inUse].sort(),
    };
  }

  private async rotateColumn(c: EncryptedColumn, batchSize: number, onProgress?: (p: RotationProgress) => void): Promise<ColumnRotation> {
    const table = quoteQualified(c.table);
    const id = `"${c.idColumn}"`;
    const col = `"${c.column}"`;
    const idType = await this.idType(c);
    // Tokens start with `v1.<keyId>.`; everything else is under an older key (or not a v1 token).
    // starts_with, not LIKE: `_` is a LIKE wildcard and may appear in key ids.
    const activePrefix = `v1.${this.box.activeKeyId}.`;
    const total = Number(
      (await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${col} IS NOT NULL AND NOT starts_with(${col}, $1)`, [activePrefix]))
        .rows[0].n,
    );
    const result: ColumnRotation = { table: c.table, column: c.column, found: total, reencrypted: 0, skippedConcurrent: 0, unreadable: [], keysAfter: {} };
    let after: string | null = null;
    let done = 0;
    onProgress?.({ table: c.table, column: c.column, done, total });
    for (;;) {
      const page: { rows: { id: string; token: string }[] } = await this.db.query<{ id: string; token: string }>(
        `SELECT ${id}::text AS id, ${col} AS token FROM ${table}
          WHERE ${col} IS NOT NULL AND NOT starts_with(${col}, $1) ${after === null ? '' : `AND ${id} > $3::${idType}`}
          ORDER BY ${id} LIMIT $2`,
        after === null ? [activePrefix, batchSize] : [activePrefix, batchSize, after],
      );
      if (page.rows.length === 0) break;
      const ids: string[] = [];
      const olds: string[] = [];
      const news: string[] = [];
      for (const row of page.rows) {
        try {
          news.push(this.box.reencrypt(row.token, c.aad?.(row.id)));
          ids.push(row.id);
          olds.push(row.token);
        } catch (err) {
          if (!(err instanceof SecretBoxError)) throw err;
          result.unreadable.push({ id: row.id, reason: err.reason });
        }
      }
      if (ids.length) {
        const updated = await this.db.query(
          `UPDATE ${table} AS t SET ${col} = v.new
             FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, old, new)
            WHERE t.${id} = v.id::${idType} AND t.${col} = v.old`,
          [ids, olds, news],
        );
        const n = updated.rowCount ?? 0;
        result.reencrypted += n;
        result.skippedConcurrent += ids.length - n;
      }
      done += page.rows.length;
      onProgress?.({ table: c.table, column: c.column, done, total: Math.max(total, done) });
      after = page.rows[page.rows.length - 1].id;
    }
    result.keysAfter = await this.countByKey(c);
    return result;
  }

  private async countByKey(c: EncryptedColumn): Promise<Record<string, number>> {
    const res = await this.db.query<{ kid: string; n: string }>(
      `SELECT split_part("${c.column}", '.', 2) AS kid, count(*) AS n FROM ${quoteQualified(c.table)}
        WHERE "${c.column}" IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    return Object.fromEntries(res.rows.map((r) => [r.kid, Number(r.n)]));
  }

  /** The id column's SQL type, so keyset and update predicates compare natively (and use the index). */
  private async idType(c: EncryptedColumn): Promise<string> {
    const res = await this.db.query<{ type: string | null }>(
      `SELECT format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped`,
      [quoteQualified(c.table), c.idColumn],
    );
    const type = res.rows[0]?.type;
    if (!type) throw new Error(`Encrypted column ${c.table}.${c.column}: no table ${c.table} with a column ${c.idColumn} (migrations applied?)`);
    return type;
  }
}
