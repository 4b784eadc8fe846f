import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { WorkspaceMembers } from '@modules/identity/contracts/workspace-members';

/** WorkspaceMembers from the members read model (what the tenancy guard reads too). */
@Injectable()
export class WorkspaceMembersDirectory extends WorkspaceMembers {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    super();
  }

  async membersAmong(workspaceId: string, userIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(userIds)].filter((id) => isUUID(id));
    if (ids.length === 0) return new Set();
    // An erased person is no one's member any more, whatever rows still name them.
    const r = await this.pool.query<{ user_id: string }>(
      `SELECT m.user_id FROM identity_workspace_members_view m
         JOIN identity_users_view u ON u.id = m.user_id AND NOT u.erased
        WHERE m.workspace_id = $1 AND m.user_id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    return new Set(r.rows.map((row) => row.user_id));
  }
}
