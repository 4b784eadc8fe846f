/**
 * Columns that hold SecretBox tokens. A module registers each one (in a provider's constructor
 * or onModuleInit) so `npm run cli -- secrets rotate` can re-encrypt them under the active key;
 * after a rotation has left nothing under an old key, that key can leave SECRETS_KEYS.
 *
 * `aad` must be the AAD the module seals the column's values with (usually derived from the
 * row id, which binds a token to its row: copied to another row it no longer opens).
 */
export interface EncryptedColumn {
  table: string;
  idColumn: string;
  column: string;
  aad?: (id: string) => string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

export class EncryptedColumns {
  private readonly columns = new Map<string, EncryptedColumn>();

  register(...columns: EncryptedColumn[]): this {
    for (const c of columns) {
      for (const name of [c.table, c.idColumn, c.column]) {
        if (!IDENTIFIER.test(name)) throw new Error(`Encrypted column: "${name}" is not a plain lower-case SQL identifier`);
      }
      const key = `${c.table}.${c.column}`;
      const existing = this.columns.get(key);
      if (existing && existing.idColumn !== c.idColumn) throw new Error(`Encrypted column ${key} registered twice with different ids`);
      this.columns.set(key, c);
    }
    return this;
  }

  list(): EncryptedColumn[] {
    return [...this.columns.values()].sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
  }
}

/** `"schema"."table"` from `schema.table`: identifiers are validated on registration. */
export function quoteQualified(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
}
