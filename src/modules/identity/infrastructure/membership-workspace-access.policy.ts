import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { principalOf } from '@libs/common/auth/principal';
import { WorkspaceAccessPolicy } from '@libs/common/auth/workspace-access.policy';
import { WorkspaceRole } from '@libs/common/auth/workspace-role';
import { IdentityQueries } from './identity.queries';

/**
 * Identity's binding of WorkspaceAccessPolicy: a user's membership role; an API key's role in
 * its own workspace only; the operator token reads (viewer) every workspace. Superusers get no
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
    if (p.kind === 'api-key') return p.workspaceId === workspaceId && (await this.queries.workspaceIsActive(workspaceId)) ? p.role : null;
    return this.queries.roleIn(workspaceId, p.userId);
  }
}
