import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { UsageReportHandler } from './usage-report.handler';
import { UsageReportQueryDto } from './usage-report.request.dto';

/**
 * The workspace's LLM usage and cost. Members and above: they run the workflows that spend and
 * need to see what they cost. Not viewers: a viewer is a read-only guest of the workspace's
 * knowledge (a client, a stakeholder), and spend per workflow and model is how the team runs
 * its tools, not knowledge. Everyone, viewers too, sees their own usage at .../usage/me.
 */
@ApiTags('analysis')
@WorkspaceScoped('member')
@Controller('api/v1/workspaces/:workspaceId/analysis/usage')
export class UsageReportHttpController {
  constructor(private readonly reports: UsageReportHandler) {}

  @Get()
  @ApiOperation({ summary: 'LLM calls, errors, tokens and cost in [from, to), in total and per group (?groupBy=day,model,workflow,node,provider,operation)' })
  @ApiOkResponse({ description: '{ from, to, groupBy, totals: { calls, errors, promptTokens, completionTokens, totalTokens, costUsd, avgLatencyMs }, rows: [{ <key>: value, ...measures }] }' })
  report(@Param('workspaceId') ws: string, @Query() q: UsageReportQueryDto) {
    return this.reports.workspaceReport(ws, q);
  }
}
