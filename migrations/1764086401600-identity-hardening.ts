import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who created an API key or sent an invitation is an actor id, not always a user: an API key
 * acts as `api-key:<id>` (actorIdOf). The uuid columns refused those rows, so a key could not
 * mint a key or invite; as text they hold either, and a key's chain of creators can be followed
 * (its effective role is capped by every creator's current role).
 */
export class IdentityHardening1764086401600 implements MigrationInterface {
  name = 'IdentityHardening1764086401600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE identity_api_keys_view ALTER COLUMN created_by TYPE text USING created_by::text`);
    await q.query(`ALTER TABLE identity_invitations_view ALTER COLUMN invited_by TYPE text USING invited_by::text`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Rows made by API keys have no uuid form: they go (read models are rebuilt from the log).
    await q.query(`DELETE FROM identity_api_keys_view WHERE created_by LIKE 'api-key:%'`);
    await q.query(`DELETE FROM identity_invitations_view WHERE invited_by LIKE 'api-key:%'`);
    await q.query(`ALTER TABLE identity_api_keys_view ALTER COLUMN created_by TYPE uuid USING created_by::uuid`);
    await q.query(`ALTER TABLE identity_invitations_view ALTER COLUMN invited_by TYPE uuid USING invited_by::uuid`);
  }
}
