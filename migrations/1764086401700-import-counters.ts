import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Import jobs count duplicates apart from other skipped rows (issue 12): `messages_duplicate`.
 * Rows of jobs recorded before it take their import jobs' skipped rows as duplicates (an import
 * skipped nothing else), as the projection does for their events on a rebuild.
 */
export class ImportCounters1764086401700 implements MigrationInterface {
  name = 'ImportCounters1764086401700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion_jobs_view ADD COLUMN messages_duplicate integer NOT NULL DEFAULT 0`);
    await q.query(`UPDATE ingestion_jobs_view SET messages_duplicate = messages_skipped WHERE kind = 'import'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion_jobs_view DROP COLUMN messages_duplicate`);
  }
}
