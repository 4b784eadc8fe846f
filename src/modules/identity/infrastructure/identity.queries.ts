import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { lowerRole, WorkspaceRole } from '@libs/common/auth/workspace-role';
import type { UserRow } from '@modules/identity/projections/users.projection';

/** Keys minted by keys: deeper chains than this are refused (no legitimate use needs them). */
const MAX_API_KEY_CHAIN = 8;

/** The read side of identity: every SQL query over its views, in one place. */
@Injectable()
export class IdentityQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async userByEmail(email: string): Promise<UserRow | null> {
    const r = await this.pool.query(`SELECT * FROM identity_users_view WHERE email_lower = $1 ORDER BY created_at LIMIT 1`, [email.trim().toLowerCase()]);
    return r.rows[0] ?? null;
  }

  async userById(id: string): Promise<UserRow | null> {
    const r = await this.pool.query(`SELECT * FROM identity_users_view WHERE id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  /** One query per authenticated request: the user still active, the token's session not revoked. */
  async principalAccess(userId: string, sessionId: string): Promise<{ is_active: boolean; is_superuser: boolean; session_live: boolean } | null> {
    const r = await this.pool.query(
      `SELECT u.is_active, u.is_superuser, (s.id IS NOT NULL AND s.revoked_at IS NULL AND s.expires_at > now()) AS session_live
         FROM identity_users_view u LEFT JOIN identity_sessions_view s ON s.id = $2 AND s.user_id = u.id
        WHERE u.id = $1`,
      [userId, sessionId],
    );
    return r.rows[0] ?? null;
  }

  async userAccess(id: string): Promise<{ is_active: boolean; is_superuser: boolean } | null> {
    const r = await this.pool.query(`SELECT is_active, is_superuser FROM identity_users_view WHERE id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  async roleIn(workspaceId: string, userId: string): Promise<WorkspaceRole | null> {
    const r = await this.pool.query<{ role: WorkspaceRole }>(
      `SELECT m.role FROM identity_workspace_members_view m
         JOIN identity_workspaces_view w ON w.id = m.workspace_id AND w.is_active
        WHERE m.workspace_id = $1 AND m.user_id = $2`,
      [workspaceId, userId],
    );
    return r.rows[0]?.role ?? null;
  }

  async workspacesOf(userId: string) {
    const r = await this.pool.query(
      `SELECT w.id, w.name, w.slug, w.organization_id AS "organizationId", w.owner_id AS "ownerId", m.role, w.created_at AS "createdAt"
         FROM identity_workspace_members_view m JOIN identity_workspaces_view w ON w.id = m.workspace_id AND w.is_active
        WHERE m.user_id = $1 ORDER BY w.created_at`,
      [userId],
    );
    return r.rows;
  }

  async workspace(workspaceId: string) {
    const r = await this.pool.query(
      `SELECT id, name, slug, organization_id AS "organizationId", owner_id AS "ownerId", is_active AS "active", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM identity_workspaces_view WHERE id = $1`,
      [workspaceId],
    );
    return r.rows[0] ?? null;
  }

  async organizationsOf(userId: string, organizationId: string | null) {
    const r = await this.pool.query(
      `SELECT id, name, size, domain, industry, description, website, is_active AS "active", subscription_plan AS "subscriptionPlan", created_at AS "createdAt"
         FROM identity_organizations_view
        WHERE id = $2 OR created_by = $1
           OR id IN (SELECT w.organization_id FROM identity_workspaces_view w JOIN identity_workspace_members_view m ON m.workspace_id = w.id WHERE m.user_id = $1)
        ORDER BY created_at`,
      [userId, organizationId],
    );
    return r.rows;
  }

  async organization(id: string) {
    const r = await this.pool.query(
      `SELECT id, name, size, domain, industry, description, website, is_active AS "active", subscription_plan AS "subscriptionPlan",
              created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM identity_organizations_view WHERE id = $1`,
      [id],
    );
    return r.rows[0] ?? null;
  }

  async members(workspaceId: string) {
    const r = await this.pool.query(
      `SELECT m.user_id AS "userId", u.email, u.first_name AS "firstName", u.last_name AS "lastName", m.role, m.joined_at AS "joinedAt"
         FROM identity_workspace_members_view m LEFT JOIN identity_users_view u ON u.id = m.user_id
        WHERE m.workspace_id = $1 ORDER BY m.joined_at, m.user_id`,
      [workspaceId],
    );
    return r.rows;
  }

  async invitations(workspaceId: string) {
    const r = await this.pool.query(
      `SELECT id, email, role, status, invited_by AS "invitedBy", accepted_by AS "acceptedBy", expires_at AS "expiresAt", created_at AS "createdAt"
         FROM identity_invitations_view WHERE workspace_id = $1 ORDER BY created_at DESC`,
      [workspaceId],
    );
    return r.rows;
  }

  async invitationByTokenHash(tokenHash: string): Promise<{ id: string; workspace_id: string } | null> {
    const r = await this.pool.query(`SELECT id, workspace_id FROM identity_invitations_view WHERE token_hash = $1`, [tokenHash]);
    return r.rows[0] ?? null;
  }

  async sessionsOf(userId: string) {
    const r = await this.pool.query(
      `SELECT id, user_agent AS "userAgent", active_workspace_id AS "activeWorkspaceId", created_at AS "createdAt", last_seen_at AS "lastSeenAt",
              expires_at AS "expiresAt", revoked_at AS "revokedAt", revoke_reason AS "revokeReason"
         FROM identity_sessions_view WHERE user_id = $1 ORDER BY last_seen_at DESC`,
      [userId],
    );
    return r.rows;
  }

  async activeSessionIds(userId: string): Promise<string[]> {
    const r = await this.pool.query(`SELECT id FROM identity_sessions_view WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()`, [userId]);
    return r.rows.map((x) => x.id);
  }

  async sessionOwner(sessionId: string): Promise<string | null> {
    const r = await this.pool.query(`SELECT user_id FROM identity_sessions_view WHERE id = $1`, [sessionId]);
    return r.rows[0]?.user_id ?? null;
  }

  async sessionIsLive(sessionId: string): Promise<boolean> {
    const r = await this.pool.query(`SELECT 1 FROM identity_sessions_view WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()`, [sessionId]);
    return r.rowCount === 1;
  }

  async apiKeyByPrefix(prefix: string) {
    const r = await this.pool.query(`SELECT * FROM identity_api_keys_view WHERE prefix = $1`, [prefix]);
    return r.rows[0] ?? null;
  }

  async apiKeys(workspaceId: string) {
    const r = await this.pool.query(
      `SELECT k.id, k.name, k.role, k.prefix, k.created_by AS "createdBy", k.created_at AS "createdAt", k.expires_at AS "expiresAt",
              k.revoked_at AS "revokedAt", u.last_used_at AS "lastUsedAt"
         FROM identity_api_keys_view k LEFT JOIN identity_api_key_usage u ON u.api_key_id = k.id
        WHERE k.workspace_id = $1 ORDER BY k.created_at DESC`,
      [workspaceId],
    );
    return r.rows;
  }

  /**
   * An API key's effective role in its workspace: the lowest of its own role and the roles of its
   * chain of creators, a key minted by a key included, down to the user at the root, with that
   * user's CURRENT membership (an active account in an active workspace). Null when any link is
   * gone (a creator removed, deactivated or erased, a parent key revoked or expired) or the chain
   * is implausibly long. One statement: it runs on every request made with a key.
   */
  async apiKeyEffectiveRole(apiKeyId: string, workspaceId: string): Promise<WorkspaceRole | null> {
    const r = await this.pool.query<{ role: WorkspaceRole; created_by: string; creator_role: WorkspaceRole | null }>(
      `WITH RECURSIVE chain (id, role, created_by, depth) AS (
         SELECT k.id, k.role, k.created_by, 1 FROM identity_api_keys_view k
          WHERE k.id = $1 AND k.workspace_id = $2 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
         UNION ALL
         SELECT k.id, k.role, k.created_by, c.depth + 1 FROM chain c
           JOIN identity_api_keys_view k ON c.created_by = 'api-key:' || k.id::text
          WHERE c.depth < $3 AND k.workspace_id = $2 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
       )
       SELECT c.role, c.created_by,
              (SELECT m.role FROM identity_workspace_members_view m
                 JOIN identity_workspaces_view w ON w.id = m.workspace_id AND w.is_active
                 JOIN identity_users_view u ON u.id = m.user_id AND u.is_active
                WHERE m.workspace_id = $2 AND m.user_id::text = c.created_by) AS creator_role
         FROM chain c ORDER BY c.depth`,
      [apiKeyId, workspaceId, MAX_API_KEY_CHAIN],
    );
    if (r.rows.length === 0) return null;
    const root = r.rows[r.rows.length - 1];
    // The chain must end at a user (a link that stopped at a key means that key is gone).
    if (root.created_by.startsWith('api-key:') || !root.creator_role) return null;
    return [...r.rows.map((row) => row.role), root.creator_role].reduce(lowerRole);
  }

  async touchApiKey(id: string): Promise<void> {
    // At most one write a minute per key: usage telemetry, not domain state.
    await this.pool.query(
      `INSERT INTO identity_api_key_usage (api_key_id, last_used_at) VALUES ($1, now())
       ON CONFLICT (api_key_id) DO UPDATE SET last_used_at = now() WHERE identity_api_key_usage.last_used_at < now() - interval '1 minute'`,
      [id],
    );
  }

  async latestSignupRequest(emailHash: string) {
    const r = await this.pool.query(`SELECT * FROM identity_signup_requests_view WHERE email_hash = $1 ORDER BY created_at DESC LIMIT 1`, [emailHash]);
    return r.rows[0] ?? null;
  }

  async telegramProfileOf(userId: string) {
    const r = await this.pool.query(
      `SELECT telegram_user_id::text AS "telegramUserId", first_name AS "firstName", last_name AS "lastName", language_code AS "languageCode",
              is_bot AS "isBot", is_premium AS "isPremium", source_id AS "sourceId", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM identity_telegram_profiles_view WHERE user_id = $1`,
      [userId],
    );
    const row = r.rows[0];
    return row ? { ...row, telegramUserId: Number(row.telegramUserId) } : null;
  }

  /** A user's OAuth accounts as the API shows them: never a token, only whether there is one. */
  async oauthAccountsOf(userId: string, accountId?: string) {
    const r = await this.pool.query(
      `SELECT id, provider, provider_account_id AS "providerAccountId", expires_at AS "expiresAt", token_type AS "tokenType", scope,
              session_state AS "sessionState", refresh_token_ciphertext IS NOT NULL AS "hasRefreshToken", id_token_ciphertext IS NOT NULL AS "hasIdToken",
              sync_state AS "syncState", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM identity_oauth_accounts_view WHERE user_id = $1 AND ($2::uuid IS NULL OR id = $2::uuid) ORDER BY created_at, id`,
      [userId, accountId ?? null],
    );
    return r.rows;
  }

  async appSettings() {
    const r = await this.pool.query(`SELECT key, value, created_at AS "createdAt", updated_at AS "updatedAt" FROM identity_app_settings_view ORDER BY key`);
    return r.rows;
  }

  async appSetting(key: string) {
    const r = await this.pool.query(`SELECT key, value, created_at AS "createdAt", updated_at AS "updatedAt" FROM identity_app_settings_view WHERE key = $1`, [key]);
    return r.rows[0] ?? null;
  }

  async users(filter: { limit: number; q?: string }) {
    const r = await this.pool.query(
      `SELECT id, email, first_name AS "firstName", last_name AS "lastName", is_active AS "active", is_superuser AS "superuser",
              email_verified_at AS "emailVerifiedAt", last_login_at AS "lastLoginAt", created_at AS "createdAt"
         FROM identity_users_view WHERE ($1::text IS NULL OR email_lower LIKE '%' || lower($1) || '%') ORDER BY created_at LIMIT $2`,
      [filter.q ?? null, filter.limit],
    );
    return r.rows;
  }
}
