import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { CurrentAuditViewer } from '@modules/audit/application/audit-viewer.decorator';
import { ExportEventsQuery } from './export-events.query';
import { ExportWorkspaceEventsRequestDto } from './export-workspace-events.request.dto';
import { sendNdjson } from './ndjson-response.http';

@ApiTags('audit')
@WorkspaceScoped('admin')
@Controller('api/v1/workspaces/:workspaceId/audit/events')
export class ExportWorkspaceEventsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get('export')
  @ApiOperation({ summary: "The workspace's filtered event log as NDJSON (one event a line, log order), streamed" })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One JSON event a line, the shape of the items of GET /api/v1/workspaces/{workspaceId}/audit/events' })
  async export(@Param('workspaceId') workspaceId: string, @Query() query: ExportWorkspaceEventsRequestDto,
    @CurrentAuditViewer() viewer: AuditViewer,
    @Res() res: Response,
  ): Promise<void> {
    await sendNdjson(res, await this.queries.execute(new ExportEventsQuery({ ...query, workspaceId }, viewer)), `events-${workspaceId}.ndjson`);
  }
}
