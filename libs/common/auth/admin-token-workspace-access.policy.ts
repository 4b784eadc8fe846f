import type { Request } from 'express';
import { bearerToken, secretsEqual } from './credentials';
import { WorkspaceAccessPolicy } from './workspace-access.policy';
import { WorkspaceRole } from './workspace-role';

/**
 * The policy when no identity module is wired (the CLI, platform-only tests): the operator
 * token (`ADMIN_TOKEN` bearer) may READ every workspace, nobody else may see any. Identity's
 * membership policy keeps this rule for the operator token and adds members and API keys.
 */
export class AdminTokenWorkspaceAccessPolicy extends WorkspaceAccessPolicy {
  constructor(private readonly adminToken: string | undefined) {
    super();
  }

  async roleIn(request: Request, _workspaceId: string): Promise<WorkspaceRole | null> {
    return this.isOperator(request) ? 'viewer' : null;
  }

  isOperator(request: Request): boolean {
    const given = bearerToken(request);
    return !!this.adminToken && given !== undefined && secretsEqual(given, this.adminToken);
  }
}
