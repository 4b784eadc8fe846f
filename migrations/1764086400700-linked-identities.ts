import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Linked identities and platform settings (read models, rebuildable from the log):
 * - identity_telegram_profiles_view (seed 003 telegram_profiles), one per user;
 * - identity_oauth_accounts_view (seed 004 accounts): tokens as SecretBox ciphertexts only;
 * - identity_app_settings_view (seed 002 app_settings).
 * Uniqueness (a Telegram id, a provider account) is a claim stream in the event store, never
 * a unique index here, so a rebuild cannot trip over one.
 */
export class LinkedIdentities1764086400700 implements MigrationInterface {
  name = 'LinkedIdentities1764086400700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity_telegram_profiles_view (
        user_id          uuid PRIMARY KEY,
        telegram_user_id bigint NOT NULL CHECK (telegram_user_id > 0),
        first_name       text NOT NULL,
        last_name        text,
        language_code    text,
        is_bot           boolean NOT NULL DEFAULT false,
        is_premium       boolean NOT NULL DEFAULT false,
        source_id        uuid,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX identity_telegram_profiles_telegram_idx ON identity_telegram_profiles_view (telegram_user_id)`);
    await q.query(`
      CREATE TABLE identity_oauth_accounts_view (
        id                       uuid PRIMARY KEY,
        user_id                  uuid NOT NULL,
        provider                 text NOT NULL,
        provider_account_id      text NOT NULL,
        access_token_ciphertext  text NOT NULL,
        refresh_token_ciphertext text,
        id_token_ciphertext      text,
        expires_at               timestamptz,
        token_type               text,
        scope                    text,
        session_state            text,
        sync_state               jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at               timestamptz NOT NULL,
        updated_at               timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX identity_oauth_accounts_user_idx ON identity_oauth_accounts_view (user_id, created_at)`);
    await q.query(`CREATE INDEX identity_oauth_accounts_provider_idx ON identity_oauth_accounts_view (provider, provider_account_id)`);
    await q.query(`
      CREATE TABLE identity_app_settings_view (
        key        text PRIMARY KEY,
        value      text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS identity_app_settings_view, identity_oauth_accounts_view, identity_telegram_profiles_view`);
  }
}
