import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity read models (projections of the identity aggregates; rebuildable from the log).
 * Uniqueness (emails, slugs, organization names) is guaranteed by claim streams in the event
 * store, not by these tables, so a rebuild can never trip over a unique index.
 */
export class Identity1764086400600 implements MigrationInterface {
  name = 'Identity1764086400600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity_users_view (
        id                   uuid PRIMARY KEY,
        email                text NOT NULL,
        email_lower          text,
        password_hash        text,
        first_name           text NOT NULL,
        last_name            text NOT NULL,
        job_title            text,
        phone                text,
        avatar_url           text,
        timezone             text NOT NULL DEFAULT 'UTC',
        theme_preference     text NOT NULL DEFAULT 'light' CHECK (theme_preference IN ('light', 'dark')),
        settings             jsonb NOT NULL DEFAULT '{}'::jsonb,
        feature_flags        jsonb NOT NULL DEFAULT '{}'::jsonb,
        onboarding_completed boolean NOT NULL DEFAULT false,
        is_active            boolean NOT NULL DEFAULT true,
        is_superuser         boolean NOT NULL DEFAULT false,
        email_verified_at    timestamptz,
        organization_id      uuid,
        last_login_at        timestamptz,
        failed_logins        integer NOT NULL DEFAULT 0,
        locked_until         timestamptz,
        erased               boolean NOT NULL DEFAULT false,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz
      )`);
    await q.query(`CREATE INDEX identity_users_email_idx ON identity_users_view (email_lower)`);
    await q.query(`
      CREATE TABLE identity_organizations_view (
        id                uuid PRIMARY KEY,
        name              text NOT NULL,
        size              text,
        domain            text,
        industry          text,
        description       text,
        website           text,
        is_active         boolean NOT NULL DEFAULT true,
        subscription_plan text NOT NULL DEFAULT 'free',
        created_by        uuid NOT NULL,
        created_at        timestamptz NOT NULL,
        updated_at        timestamptz
      )`);
    await q.query(`CREATE INDEX identity_organizations_domain_idx ON identity_organizations_view (domain)`);
    await q.query(`
      CREATE TABLE identity_workspaces_view (
        id              uuid PRIMARY KEY,
        name            text NOT NULL,
        slug            text NOT NULL,
        organization_id uuid,
        owner_id        uuid NOT NULL,
        is_active       boolean NOT NULL DEFAULT true,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz
      )`);
    await q.query(`CREATE INDEX identity_workspaces_slug_idx ON identity_workspaces_view (slug)`);
    await q.query(`
      CREATE TABLE identity_workspace_members_view (
        id            text PRIMARY KEY,
        workspace_id  uuid NOT NULL,
        user_id       uuid NOT NULL,
        role          text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
        invitation_id uuid,
        joined_at     timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX identity_members_user_idx ON identity_workspace_members_view (user_id)`);
    await q.query(`CREATE INDEX identity_members_workspace_idx ON identity_workspace_members_view (workspace_id)`);
    await q.query(`
      CREATE TABLE identity_invitations_view (
        id           uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        email        text NOT NULL,
        role         text NOT NULL,
        token_hash   text NOT NULL,
        status       text NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
        invited_by   uuid NOT NULL,
        accepted_by  uuid,
        expires_at   timestamptz NOT NULL,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX identity_invitations_workspace_idx ON identity_invitations_view (workspace_id, created_at DESC)`);
    await q.query(`CREATE INDEX identity_invitations_token_idx ON identity_invitations_view (token_hash)`);
    await q.query(`
      CREATE TABLE identity_sessions_view (
        id                  uuid PRIMARY KEY,
        user_id             uuid NOT NULL,
        user_agent          text,
        active_workspace_id uuid,
        created_at          timestamptz NOT NULL,
        last_seen_at        timestamptz NOT NULL,
        expires_at          timestamptz NOT NULL,
        revoked_at          timestamptz,
        revoke_reason       text
      )`);
    await q.query(`CREATE INDEX identity_sessions_user_idx ON identity_sessions_view (user_id, last_seen_at DESC)`);
    await q.query(`
      CREATE TABLE identity_api_keys_view (
        id           uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        name         text NOT NULL,
        role         text NOT NULL,
        prefix       text NOT NULL,
        key_hash     text NOT NULL,
        created_by   uuid NOT NULL,
        expires_at   timestamptz,
        revoked_at   timestamptz,
        created_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX identity_api_keys_prefix_idx ON identity_api_keys_view (prefix)`);
    await q.query(`CREATE INDEX identity_api_keys_workspace_idx ON identity_api_keys_view (workspace_id, created_at DESC)`);
    // Operational telemetry, not domain state: one event per API call would drown the log.
    await q.query(`CREATE TABLE identity_api_key_usage (api_key_id uuid PRIMARY KEY, last_used_at timestamptz NOT NULL)`);
    await q.query(`
      CREATE TABLE identity_signup_requests_view (
        id            uuid PRIMARY KEY,
        user_id       uuid NOT NULL,
        email_hash    text NOT NULL,
        pin_hash      text NOT NULL,
        pin_salt      text NOT NULL,
        attempt_count integer NOT NULL DEFAULT 0,
        status        text NOT NULL CHECK (status IN ('pending', 'verified')),
        expires_at    timestamptz NOT NULL,
        used_at       timestamptz,
        created_at    timestamptz NOT NULL
      )`);
    // Keys the platform makes for itself (JWT signing, email lookups), SecretBox-encrypted.
    await q.query(`CREATE TABLE identity_platform_secrets (name text PRIMARY KEY, value_ciphertext text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    // The default mailer's outbox (no SMTP_URL): a platform table, not a read model.
    await q.query(`
      CREATE TABLE mail_outbox (
        id         uuid PRIMARY KEY,
        recipient  text NOT NULL,
        subject    text NOT NULL,
        body       text NOT NULL,
        tag        text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (recipient, created_at DESC)`);
    await q.query(`CREATE INDEX identity_signup_requests_email_idx ON identity_signup_requests_view (email_hash, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS identity_platform_secrets, mail_outbox, identity_signup_requests_view, identity_api_key_usage, identity_api_keys_view, identity_sessions_view,
      identity_invitations_view, identity_workspace_members_view, identity_workspaces_view, identity_organizations_view, identity_users_view`);
  }
}
