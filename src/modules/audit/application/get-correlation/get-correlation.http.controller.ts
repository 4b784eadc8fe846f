import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { CurrentAuditViewer } from '@modules/audit/application/audit-viewer.decorator';
import { CorrelationResponseDto } from '@modules/audit/application/audit-event.response.dto';
import { CorrelationResult, GetCorrelationQuery } from './get-correlation.query';

@ApiTags('admin: audit')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/audit/correlations')
export class GetCorrelationHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':correlationId')
  @ApiOperation({ summary: 'Every event of one correlation id (request), in order and as a causation tree' })
  @ApiOkResponse({ type: CorrelationResponseDto })
  @ApiNotFoundResponse({ description: 'No event carries this correlation id' })
  get(@Param('correlationId') correlationId: string, @CurrentAuditViewer() viewer: AuditViewer): Promise<CorrelationResult> {
    return this.queries.execute(new GetCorrelationQuery(correlationId, viewer));
  }
}
