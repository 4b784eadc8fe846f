import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { CurrentAuditViewer } from '@modules/audit/application/audit-viewer.decorator';
import { StreamHistoryResponseDto } from '@modules/audit/application/audit-event.response.dto';
import { StreamHistory } from '@modules/audit/infrastructure/audit-events.queries';
import { GetStreamHistoryQuery } from './get-stream-history.query';
import { GetStreamHistoryRequestDto } from './get-stream-history.request.dto';

@ApiTags('admin: audit')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/audit/streams')
export class GetStreamHistoryHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':streamId')
  @ApiOperation({ summary: "A stream's head and its events, optionally as it was at a version" })
  @ApiOkResponse({ type: StreamHistoryResponseDto })
  @ApiNotFoundResponse({ description: 'No such stream' })
  get(@Param('streamId') streamId: string, @Query() query: GetStreamHistoryRequestDto, @CurrentAuditViewer() viewer: AuditViewer): Promise<StreamHistory> {
    return this.queries.execute(new GetStreamHistoryQuery(streamId, viewer, query.atVersion));
  }
}
