import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Noise scoring's own state, one row per scored message, written in the same transaction as the
 * classification and the `ingestion.noise-scoring` checkpoint (operational state of a consumer,
 * like a saga's rows; the classifications themselves are events and live in the messages read
 * model):
 * - the log position of the last event scored, so a redelivered event is recognised;
 * - the message's fingerprint (a hash of its author and its normalised content), looked up by
 *   fingerprint within a window of sent_at for duplicate detection.
 */
export class Noise1764086400900 implements MigrationInterface {
  name = 'Noise1764086400900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingestion_noise_state (
        message_id   uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        fingerprint  text,
        sent_at      timestamptz NOT NULL,
        last_tx      xid8 NOT NULL,
        last_pos     bigint NOT NULL,
        scored_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ingestion_noise_state_fingerprint_idx ON ingestion_noise_state (fingerprint, sent_at) WHERE fingerprint IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS ingestion_noise_state`);
  }
}
