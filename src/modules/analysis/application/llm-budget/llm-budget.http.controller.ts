import { Body, Controller, Delete, Get, Param, Put, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiPreconditionFailedResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { LlmBudgetHandler, LlmBudgetResponse } from './llm-budget.handler';
import { SetLlmBudgetRequestDto } from './llm-budget.request.dto';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The budget version (its ETag) the change is based on; 412 when it moved on' };
const BUDGET = { description: '{ workspaceId, monthlyLimitUsd, period: { start, end }, spentUsd, remainingUsd, exceeded, streamVersion, updatedBy, updatedAt }; ETag: the version' };

function withEtag(res: Response, body: LlmBudgetResponse): LlmBudgetResponse {
  res.setHeader('ETag', `"${body.streamVersion}"`);
  return body;
}

/**
 * The workspace's monthly LLM budget (UTC calendar month, USD). Members read it, as they read
 * the usage report (their runs are the ones it stops); only admins set or remove it. Viewers:
 * no (see UsageReportHttpController).
 */
@ApiTags('analysis')
@WorkspaceScoped('member')
@Controller('api/v1/workspaces/:workspaceId/analysis/budget')
export class LlmBudgetHttpController {
  constructor(private readonly budgets: LlmBudgetHandler) {}

  @Get()
  @ApiOperation({ summary: 'The monthly LLM budget and this month\'s spend (member)' })
  @ApiOkResponse(BUDGET)
  async get(@Param('workspaceId') ws: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.budgets.get(ws));
  }

  @Put()
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Set the monthly LLM budget in USD (admin); a run that passes it stops' })
  @ApiOkResponse(BUDGET)
  @ApiPreconditionFailedResponse({ description: 'ANALYSIS.BUDGET_STALE_VERSION: If-Match names an older version' })
  async set(@Param('workspaceId') ws: string, @Body() body: SetLlmBudgetRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.budgets.set(ws, body, meta));
  }

  @Delete()
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Remove the budget (admin): no limit any more' })
  @ApiOkResponse(BUDGET)
  async remove(@Param('workspaceId') ws: string, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.budgets.remove(ws, meta));
  }
}
