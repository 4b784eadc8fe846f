import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { CurrentAuditViewer } from '@modules/audit/application/audit-viewer.decorator';
import { EventPageResponseDto } from '@modules/audit/application/audit-event.response.dto';
import { EventPageResult, ListEventsQuery } from './list-events.query';
import { ListWorkspaceEventsRequestDto } from './list-workspace-events.request.dto';

@ApiTags('audit')
@WorkspaceScoped('admin')
@Controller('api/v1/workspaces/:workspaceId/audit/events')
export class ListWorkspaceEventsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: "The workspace's event log, filtered, in log order (keyset pages)" })
  @ApiOkResponse({ type: EventPageResponseDto })
  list(
    @Param('workspaceId') workspaceId: string,
    @Query() query: ListWorkspaceEventsRequestDto,
    @CurrentAuditViewer() viewer: AuditViewer,
  ): Promise<EventPageResult> {
    // The admin list's handler with the workspace forced from the path (last, so it always wins).
    return this.queries.execute(new ListEventsQuery({ ...query, workspaceId }, viewer));
  }
}
