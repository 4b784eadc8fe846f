import { CanActivate, ExecutionContext, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isUUID } from 'class-validator';
import type { Request, Response } from 'express';
import { ApplicationError, NotFoundError, PlatformErrorCode, ValidationFailedError } from '@libs/common/errors/application-error';
import { requestContext } from '@libs/common/request-context/request-context';
import { hasCredentials } from './credentials';
import { authFailureOf, principalOf } from './principal';
import { WorkspaceAccessPolicy } from './workspace-access.policy';
import { roleAtLeast, WorkspaceRole } from './workspace-role';

/** The route parameter every workspace-scoped route names its workspace with (docs/api.md). */
export const WORKSPACE_ID_PARAM = 'workspaceId';
export const MIN_WORKSPACE_ROLE = 'identity:min-workspace-role';

/** The least role a route needs (viewer when unset): on a controller or a handler. */
export const RequireWorkspaceRole = (role: WorkspaceRole) => SetMetadata(MIN_WORKSPACE_ROLE, role);

export class ForbiddenError extends ApplicationError {
  readonly code = PlatformErrorCode.Forbidden;
}

/**
 * Guards `/api/v1/workspaces/:workspaceId/...`, in this order:
 * 1. no credentials at all, or invalid ones -> 401;
 * 2. `:workspaceId` not a UUID -> 400 VALIDATION_FAILED;
 * 3. the caller has no role in it -> 404 NOT_FOUND, the same answer as for a workspace that does
 *    not exist, so ids of other tenants' workspaces never leak;
 * 4. a role below the route's minimum -> 403 FORBIDDEN (a viewer writing); the operator token
 *    may read any route (it reads every workspace), and writes nothing above viewer.
 * Guards run before pipes: a caller who may not see the workspace learns nothing from how the
 * query string is validated either.
 */
@Injectable()
export class WorkspaceMemberGuard implements CanActivate {
  constructor(
    private readonly policy: WorkspaceAccessPolicy,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (!hasCredentials(req) || authFailureOf(req)) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException(authFailureOf(req) ?? 'Credentials are required: Authorization: Bearer <token> or X-API-Key: <key>');
    }
    const workspaceId: unknown = req.params?.[WORKSPACE_ID_PARAM];
    if (workspaceId === undefined) {
      throw new Error(`WorkspaceMemberGuard is on a route without a :${WORKSPACE_ID_PARAM} parameter (${req.route?.path})`);
    }
    if (typeof workspaceId !== 'string' || !isUUID(workspaceId)) {
      throw new ValidationFailedError('The workspace id is not valid', [{ field: WORKSPACE_ID_PARAM, message: 'workspaceId must be a UUID' }]);
    }
    const role = await this.policy.roleIn(req, workspaceId);
    if (!role) throw new NotFoundError(`No workspace ${workspaceId}`, { workspaceId });
    const required = this.reflector.getAllAndOverride<WorkspaceRole | undefined>(MIN_WORKSPACE_ROLE, [context.getHandler(), context.getClass()]) ?? 'viewer';
    // The operator token reads every workspace (break-glass, automation), whatever a read needs; it never writes above viewer.
    const operatorRead = principalOf(req)?.kind === 'operator' && (req.method === 'GET' || req.method === 'HEAD');
    if (!roleAtLeast(role, required) && !operatorRead) {
      throw new ForbiddenError(`This needs the ${required} role or above in the workspace; you are ${role}`, { role, required });
    }
    (req as Request & { workspaceRole?: WorkspaceRole }).workspaceRole = role;
    requestContext.patch({ workspaceId });
    return true;
  }
}

/** The caller's role in the route's workspace, set by WorkspaceMemberGuard. */
export function workspaceRoleOf(req: Request): WorkspaceRole {
  const role = (req as Request & { workspaceRole?: WorkspaceRole }).workspaceRole;
  if (!role) throw new Error('workspaceRoleOf() on a route without WorkspaceMemberGuard');
  return role;
}
