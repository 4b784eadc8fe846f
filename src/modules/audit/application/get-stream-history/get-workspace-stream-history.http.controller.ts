import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { CurrentAuditViewer } from '@modules/audit/application/audit-viewer.decorator';
import { StreamHistoryResponseDto } from '@modules/audit/application/audit-event.response.dto';
import { StreamHistory } from '@modules/audit/infrastructure/audit-events.queries';
import { GetStreamHistoryQuery } from './get-stream-history.query';
import { GetStreamHistoryRequestDto } from './get-stream-history.request.dto';

@ApiTags('audit')
@WorkspaceScoped('admin')
@Controller('api/v1/workspaces/:workspaceId/audit/streams')
export class GetWorkspaceStreamHistoryHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':streamId')
  @ApiOperation({
    summary: "A stream of the workspace: its head and its events, optionally as it was at a version (another workspace's stream is a 404)",
  })
  @ApiOkResponse({ type: StreamHistoryResponseDto })
  @ApiNotFoundResponse({ description: 'No such stream in this workspace, or no such workspace for the caller (the same answer)' })
  get(
    @Param('workspaceId') workspaceId: string,
    @Param('streamId') streamId: string,
    @Query() query: GetStreamHistoryRequestDto,
    @CurrentAuditViewer() viewer: AuditViewer,
  ): Promise<StreamHistory> {
    return this.queries.execute(new GetStreamHistoryQuery(streamId, viewer, query.atVersion, workspaceId));
  }
}
