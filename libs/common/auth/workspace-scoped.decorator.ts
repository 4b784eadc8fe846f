import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiParam, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { RequireWorkspaceRole, WORKSPACE_ID_PARAM, WorkspaceMemberGuard } from './workspace-member.guard';
import { WorkspaceRole } from './workspace-role';

/**
 * A controller (or route) under `/api/v1/workspaces/:workspaceId/...`: the member guard, the
 * least role it needs (viewer by default; put `@RequireWorkspaceRole('member')` on writes) and
 * its OpenAPI description in one place.
 */
export function WorkspaceScoped(minRole: WorkspaceRole = 'viewer'): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(WorkspaceMemberGuard),
    RequireWorkspaceRole(minRole),
    ApiBearerAuth(),
    ApiSecurity('api-key'),
    ApiForbiddenResponse({ description: 'FORBIDDEN: the caller\'s role in the workspace is below what the route needs' }),
    ApiParam({ name: WORKSPACE_ID_PARAM, format: 'uuid', description: 'The workspace' }),
    ApiBadRequestResponse({ description: 'VALIDATION_FAILED: workspaceId is not a UUID, or a bad query parameter' }),
    ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED: no credentials' }),
    ApiNotFoundResponse({ description: 'NOT_FOUND: no such workspace, or the caller may not read it (the same answer)' }),
  );
}
