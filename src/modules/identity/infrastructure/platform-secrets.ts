import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';

const aad = (name: string) => `identity_platform_secrets:${name}`;

/**
 * Secrets the platform makes for itself (the JWT signing key, the email lookup key): generated
 * once, shared by every app process through the database, kept encrypted by the SecretBox (so
 * `secrets rotate` re-encrypts them) and never derived from a rotating key.
 */
export class PlatformSecrets {
  constructor(
    private readonly pool: Pool,
    private readonly box: SecretBox,
    columns: EncryptedColumns,
  ) {
    columns.register({ table: 'identity_platform_secrets', idColumn: 'name', column: 'value_ciphertext', aad });
  }

  async getOrCreate(name: string): Promise<string> {
    const fresh = this.box.encrypt(randomBytes(32).toString('base64url'), aad(name));
    await this.pool.query(`INSERT INTO identity_platform_secrets (name, value_ciphertext) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, fresh]);
    const r = await this.pool.query<{ value_ciphertext: string }>(`SELECT value_ciphertext FROM identity_platform_secrets WHERE name = $1`, [name]);
    return this.box.decrypt(r.rows[0].value_ciphertext, aad(name));
  }
}

/** The email lookup key, loaded once (lazily: the CLI may start before the table exists). */
export class EmailLookupKey {
  private value?: string;

  constructor(private readonly secrets: PlatformSecrets) {}

  async load(): Promise<string> {
    this.value ??= await this.secrets.getOrCreate('email-lookup');
    return this.value;
  }

  get(): string {
    if (!this.value) throw new Error('The email lookup key is not loaded (are the migrations applied?)');
    return this.value;
  }
}
