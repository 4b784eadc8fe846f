import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { UsageReportHandler } from './usage-report.handler';
import { AdminUsageReportQueryDto } from './usage-report.request.dto';

/** LLM usage and cost across workspaces (superuser only), with each budget's standing this month. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/analysis/usage')
export class AdminUsageReportHttpController {
  constructor(private readonly reports: UsageReportHandler) {}

  @Get()
  @ApiOperation({ summary: 'The usage report of every workspace (?groupBy=workspace,day,model,...; ?workspaceId= for one); calls made for no workspace (provider checks) have workspace null' })
  @ApiOkResponse({ description: '{ from, to, groupBy, totals, rows, budgets: { period, items: [{ workspaceId, monthlyLimitUsd, spentUsd, exceeded }] } }' })
  report(@Query() q: AdminUsageReportQueryDto) {
    return this.reports.adminReport(q);
  }
}
