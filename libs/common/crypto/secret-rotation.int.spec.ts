import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { NO_STREAM } from '@libs/event-store/event-store.types';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { PersonalDataCipher, subjectKeyAad } from '@libs/event-store/personal-data-cipher';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { EncryptedColumns } from './encrypted-columns';
import { SecretBox, SecretKey } from './secret-box';
import { RotationProgress, SecretRotation } from './secret-rotation';

/** What `npm run cli -- secrets rotate` runs (src/cli/secrets.command.ts adds the progress bar and prints the summary). */
describe('secrets rotate', () => {
  let db: TestDatabase;
  const k1: SecretKey = { id: 'k1', key: randomBytes(32) };
  const k2: SecretKey = { id: 'k2', key: randomBytes(32) };
  const oldRing = new SecretBox([k1]);
  const newRing = new SecretBox([k2, k1]);
  const columns = new EncryptedColumns()
    .register({ table: 'data_subject_keys', idColumn: 'subject_id', column: 'key_ciphertext', aad: subjectKeyAad })
    .register({ table: 'connector_secrets', idColumn: 'id', column: 'secret', aad: (id) => `connector:${id}` });
  const registry = new EventTypeRegistry().personalData('crm.contact-added', { subject: 'contactId', fields: ['email'] });
  const connectorIds: string[] = [];
  const secretOf = (i: number) => `xoxb-slack-${i}-${'s'.repeat(i % 5)}`;

  beforeAll(async () => {
    db = await createTestDatabase(4);
    await db.pool.query(`CREATE TABLE connector_secrets (id uuid PRIMARY KEY, secret text)`);
    // Seven secrets under the old key (in keyset order), one NULL, one already under the new key.
    for (let i = 0; i < 7; i++) {
      const id = uuidv7();
      connectorIds.push(id);
      await db.pool.query(`INSERT INTO connector_secrets VALUES ($1, $2)`, [id, oldRing.encrypt(secretOf(i), `connector:${id}`)]);
    }
    await db.pool.query(`INSERT INTO connector_secrets VALUES ($1, NULL)`, [uuidv7()]);
    const fresh = uuidv7();
    connectorIds.push(fresh);
    await db.pool.query(`INSERT INTO connector_secrets VALUES ($1, $2)`, [fresh, newRing.encrypt(secretOf(7), `connector:${fresh}`)]);
    // Personal data written while k1 was the only key: the subject keys are wrapped by k1.
    const store = new PostgresEventStore(db.pool, { registry, personalData: new PersonalDataCipher(oldRing) });
    for (const c of ['contact-1', 'contact-2', 'contact-3']) {
      await store.append(c, [{ type: 'crm.contact-added', data: { contactId: c, email: `${c}@example.com` } }], { streamType: 'contact', expectedVersion: NO_STREAM });
    }
  });
  afterAll(async () => db?.close());

  it('re-encrypts everything under an old key with the active one, in batches; values still decrypt; the old key can go', async () => {
    const progress: RotationProgress[] = [];
    const before = await new SecretRotation(db.pool, newRing, columns).status();
    expect(before.columns).toEqual([
      { table: 'connector_secrets', column: 'secret', keys: { k1: 7, k2: 1 } },
      { table: 'data_subject_keys', column: 'key_ciphertext', keys: { k1: 3 } },
    ]);

    const summary = await new SecretRotation(db.pool, newRing, columns).rotate({ batchSize: 3, onProgress: (p) => progress.push(p) });

    expect(summary).toMatchObject({ activeKeyId: 'k2', reencrypted: 10, unreadable: 0, keysStillInUse: ['k2'] });
    expect(summary.columns).toEqual([
      { table: 'connector_secrets', column: 'secret', found: 7, reencrypted: 7, skippedConcurrent: 0, unreadable: [], keysAfter: { k2: 8 } },
      { table: 'data_subject_keys', column: 'key_ciphertext', found: 3, reencrypted: 3, skippedConcurrent: 0, unreadable: [], keysAfter: { k2: 3 } },
    ]);
    // Batches of 3: 0, 3, 6, 7 for the connector secrets.
    expect(progress.filter((p) => p.table === 'connector_secrets').map((p) => p.done)).toEqual([0, 3, 6, 7]);

    // Only the new key now: every secret opens, bound to its own row.
    const onlyNew = new SecretBox([k2]);
    const rows = await db.pool.query<{ id: string; secret: string }>(`SELECT id::text, secret FROM connector_secrets WHERE secret IS NOT NULL ORDER BY id`);
    expect(rows.rows.map((r) => onlyNew.decrypt(r.secret, `connector:${r.id}`))).toEqual(connectorIds.map((_, i) => secretOf(i)));
    const reader = new PostgresEventStore(db.pool, { registry, personalData: new PersonalDataCipher(onlyNew) });
    expect((await reader.readStream('contact-2')).events[0].data).toEqual({ contactId: 'contact-2', email: 'contact-2@example.com' });

    // A rerun finds nothing left to do.
    const again = await new SecretRotation(db.pool, newRing, columns).rotate();
    expect(again.reencrypted).toBe(0);
  });

  it('leaves values no key opens as they are and reports them (the command then exits non-zero)', async () => {
    const stray = uuidv7();
    const foreign = new SecretBox([{ id: 'k0', key: randomBytes(32) }]).encrypt('lost', `connector:${stray}`);
    await db.pool.query(`INSERT INTO connector_secrets VALUES ($1, $2)`, [stray, foreign]);
    const summary = await new SecretRotation(db.pool, newRing, columns).rotate({ batchSize: 2 });
    expect(summary.unreadable).toBe(1);
    expect(summary.columns[0].unreadable).toEqual([{ id: stray, reason: 'unknown-key' }]);
    expect(summary.keysStillInUse).toEqual(['k0', 'k2']);
    expect((await db.pool.query(`SELECT secret FROM connector_secrets WHERE id = $1`, [stray])).rows[0].secret).toBe(foreign);
  });

  it('matches key ids exactly (an underscore in the active id is no wildcard)', async () => {
    await db.pool.query(`CREATE TABLE llm_keys (name text PRIMARY KEY, api_key text)`);
    const old: SecretKey = { id: 'kx1', key: randomBytes(32) };
    const kx1 = new SecretBox([old]);
    await db.pool.query(`INSERT INTO llm_keys VALUES ('openai', $1)`, [kx1.encrypt('sk-openai', 'llm:openai')]);
    const ring = new SecretBox([{ id: 'k_1', key: randomBytes(32) }, old]);
    const cols = new EncryptedColumns().register({ table: 'llm_keys', idColumn: 'name', column: 'api_key', aad: (id) => `llm:${id}` });
    const summary = await new SecretRotation(db.pool, ring, cols).rotate();
    expect(summary.columns[0]).toMatchObject({ found: 1, reencrypted: 1, keysAfter: { k_1: 1 } });
    const token = (await db.pool.query(`SELECT api_key FROM llm_keys`)).rows[0].api_key;
    expect(ring.decrypt(token, 'llm:openai')).toBe('sk-openai');
  });

  it('names a registered table that does not exist', async () => {
    const missing = new EncryptedColumns().register({ table: 'no_such_table', idColumn: 'id', column: 'secret' });
    await expect(new SecretRotation(db.pool, newRing, missing).rotate()).rejects.toThrow(/no_such_table/);
    expect(() => new EncryptedColumns().register({ table: 'bad; drop', idColumn: 'id', column: 'x' })).toThrow(/identifier/);
  });
});
