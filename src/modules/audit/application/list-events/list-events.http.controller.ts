import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { CurrentAuditViewer } from '@modules/audit/application/audit-viewer.decorator';
import { EventPageResponseDto } from '@modules/audit/application/audit-event.response.dto';
import { EventPageResult, ListEventsQuery } from './list-events.query';
import { ListEventsRequestDto } from './list-events.request.dto';

@ApiTags('admin: audit')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/events')
export class ListEventsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'The event log of every workspace, filtered, in log order (keyset pages)' })
  @ApiOkResponse({ type: EventPageResponseDto })
  list(@Query() query: ListEventsRequestDto, @CurrentAuditViewer() viewer: AuditViewer): Promise<EventPageResult> {
    return this.queries.execute(new ListEventsQuery(query, viewer));
  }
}
