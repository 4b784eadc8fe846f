import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { principalOf } from '@libs/common/auth/principal';
import { WorkspaceAccessPolicy } from '@libs/common/auth/workspace-access.policy';
import { WorkspaceRole } from '@libs/common/auth/workspace-role';
import { IdentityQueries } from './identity.queries';

/**
 * Identity's binding of WorkspaceAccessPolicy: a user's membership role; an API key's effective
 * role in its own workspace only (the lower of its own role and its creator's current role, none
 * when the creator has none); the operator token reads (viewer) every workspace. Superusers get no
 * implicit workspace access: the admin API is theirs, tenants' data is not.
 */
@Injectable()
export class MembershipWorkspaceAccessPolicy extends WorkspaceAccessPolicy {
  private readonly queries: IdentityQueries;

  /** Bound by the global AuthModule, outside identity's module scope: it builds its own queries on the pool. */
  constructor(@Inject(PG_POOL) pool: Pool) {
    super();
    this.queries = new IdentityQueries(pool);
  }

  async roleIn(request: Request, workspaceId: string): Promise<WorkspaceRole | null> {
    const p = principalOf(request);
    if (!p) return null;
    if (p.kind === 'operator') return 'viewer';
    // Never the key's own role alone: it follows its creator (removed, demoted, deactivated).
    if (p.kind === 'api-key') return p.workspaceId === workspaceId ? this.queries.apiKeyEffectiveRole(p.apiKeyId, workspaceId) : null;
    return this.queries.roleIn(workspaceId, p.userId);
  }
}
