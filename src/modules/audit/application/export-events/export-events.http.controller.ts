import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { CurrentAuditViewer } from '@modules/audit/application/audit-viewer.decorator';
import { ExportEventsQuery } from './export-events.query';
import { ExportEventsRequestDto } from './export-events.request.dto';
import { sendNdjson } from './ndjson-response.http';

@ApiTags('admin: audit')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/events')
export class ExportEventsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get('export')
  @ApiOperation({ summary: 'The filtered event log as NDJSON (one event a line, log order), streamed' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One JSON event a line, the shape of the items of GET /api/v1/admin/events' })
  async export(@Query() query: ExportEventsRequestDto, @CurrentAuditViewer() viewer: AuditViewer, @Res() res: Response): Promise<void> {
    await sendNdjson(res, await this.queries.execute(new ExportEventsQuery(query, viewer)), 'events.ndjson');
  }
}
