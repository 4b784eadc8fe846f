import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { CurrentAuditViewer } from '@modules/audit/application/audit-viewer.decorator';
import { CorrelationResponseDto } from '@modules/audit/application/audit-event.response.dto';
import { CorrelationResult, GetCorrelationQuery } from './get-correlation.query';

@ApiTags('audit')
@WorkspaceScoped('admin')
@Controller('api/v1/workspaces/:workspaceId/audit/correlations')
export class GetWorkspaceCorrelationHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':correlationId')
  @ApiOperation({ summary: "The workspace's events of one correlation id (request), in order and as a causation tree" })
  @ApiOkResponse({ type: CorrelationResponseDto })
  @ApiNotFoundResponse({ description: 'No event of this workspace carries the correlation id, or no such workspace for the caller' })
  get(
    @Param('workspaceId') workspaceId: string,
    @Param('correlationId') correlationId: string,
    @CurrentAuditViewer() viewer: AuditViewer,
  ): Promise<CorrelationResult> {
    return this.queries.execute(new GetCorrelationQuery(correlationId, viewer, workspaceId));
  }
}
