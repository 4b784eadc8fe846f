import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pull syncs per source interval (issue 18): when a source's last sync attempt started
 * (`sync_attempted_at`, what "due" is measured from) and the stable code of its sync error
 * (`sync_error_code`: reconnect, permissions, quota...). Both come from the sync status events,
 * so a rebuild fills them; rows of today start from their last successful sync.
 */
export class PullSyncScheduling1764086403400 implements MigrationInterface {
  name = 'PullSyncScheduling1764086403400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion_sources_view ADD COLUMN IF NOT EXISTS sync_attempted_at timestamptz, ADD COLUMN IF NOT EXISTS sync_error_code text`);
    await q.query(`UPDATE ingestion_sources_view SET sync_attempted_at = last_synced_at WHERE sync_attempted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion_sources_view DROP COLUMN IF EXISTS sync_attempted_at, DROP COLUMN IF EXISTS sync_error_code`);
  }
}
