import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A source's provider account is bound to its workspace only once proven with the credentials
 * (`ingestion.source-account-verified`): the read model says when. Sources connected before
 * proofs existed start unproven; their next sync proves them (their earlier claims stay theirs).
 */
export class ConnectorHardening1764086401500 implements MigrationInterface {
  name = 'ConnectorHardening1764086401500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion_sources_view ADD COLUMN IF NOT EXISTS account_verified_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion_sources_view DROP COLUMN IF EXISTS account_verified_at`);
  }
}
