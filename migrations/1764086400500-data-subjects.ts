import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crypto-shredding (libs/event-store/personal-data.ts): one key per data subject, wrapped by
 * the SecretBox (SECRETS_KEYS), encrypts their personal values in event payloads. Erasure
 * destroys the key (key_ciphertext NULL) and keeps the row as the record of when and by whom.
 *
 * data_subject_streams remembers which streams name a subject, so an erasure can delete their
 * snapshots (and, later, answer "where is this person's data" without scanning the log).
 */
export class DataSubjects1764086400500 implements MigrationInterface {
  name = 'DataSubjects1764086400500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE data_subject_keys (
        subject_id     text PRIMARY KEY,
        key_ciphertext text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        erased_at      timestamptz,
        erased_by      text,
        CONSTRAINT data_subject_keys_erased_has_no_key CHECK ((erased_at IS NULL) = (key_ciphertext IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE data_subject_streams (
        subject_id text NOT NULL,
        stream_id  text NOT NULL,
        PRIMARY KEY (subject_id, stream_id)
      )`);
    await q.query(`CREATE INDEX data_subject_streams_stream_idx ON data_subject_streams (stream_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS data_subject_streams, data_subject_keys`);
  }
}
