import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OAuth connect attempts: one short-lived row per authorization URL handed out, keyed by the id
 * its signed `state` carries. It keeps the PKCE verifier server-side (sealed by the SecretBox:
 * never in a URL, a browser history or a provider's logs) and makes the state single use (the
 * callback deletes the row as it reads it). Not a projection: operational data, swept when expired.
 */
export class OAuthConnect1764086403100 implements MigrationInterface {
  name = 'OAuthConnect1764086403100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity_oauth_connect_attempts (
        id                   uuid PRIMARY KEY,
        user_id              uuid NOT NULL,
        workspace_id         uuid NOT NULL,
        provider             text NOT NULL,
        verifier_ciphertext  text NOT NULL,
        scopes               text[] NOT NULL,
        return_to            text,
        expires_at           timestamptz NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX identity_oauth_connect_attempts_expiry_idx ON identity_oauth_connect_attempts (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity_oauth_connect_attempts`);
  }
}
