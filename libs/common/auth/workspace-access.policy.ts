import type { Request } from 'express';
import { WorkspaceRole } from './workspace-role';

/**
 * The seam between workspace-scoped routes and identity: which role does the caller of this
 * request hold in this workspace? Used as the DI token (an abstract class, STYLE.md), bound by
 * AuthModule. `workspaceId` is always a syntactically valid UUID (WorkspaceMemberGuard checks it
 * first) and the request always carries credentials of some form.
 *
 * Answer null both when the workspace does not exist and when the caller is not in it: the
 * guard turns either into the same 404, so a workspace id never leaks its existence.
 */
export abstract class WorkspaceAccessPolicy {
  abstract roleIn(request: Request, workspaceId: string): Promise<WorkspaceRole | null>;
}
