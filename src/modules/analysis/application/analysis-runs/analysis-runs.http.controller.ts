import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { AnalysisRunsHandler } from './analysis-runs.handler';
import { ListAnalysisRunsQueryDto, RequestAnalysisRunRequestDto } from './analysis-runs.request.dto';

const withEtag = <T extends { version: number }>(res: Response, body: T): T => {
  res.setHeader('ETag', `"${body.version}"`);
  return body;
};

@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/runs')
export class AnalysisRunsHttpController {
  constructor(private readonly runs: AnalysisRunsHandler) {}

  @Post()
  @HttpCode(202)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Start an analysis run over a time window (member): planned, batched and sent to the agent by the run saga' })
  @ApiAcceptedResponse({ description: 'The run (status pending), with its config snapshot' })
  async request(@Param('workspaceId') ws: string, @Body() body: RequestAnalysisRunRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.runs.request(ws, body, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Runs, newest first (keyset pages)' })
  list(@Param('workspaceId') ws: string, @Query() q: ListAnalysisRunsQueryDto) {
    return this.runs.list(ws, { status: q.status, cursor: q.cursor, limit: q.limit ?? 50 });
  }

  @Get(':runId')
  @ApiOperation({ summary: 'One run: status, progress (batches done/total, ETA), counters, tokens, cost, error log, accuracy once reviewed' })
  @ApiOkResponse({ description: 'The run; ETag = its version' })
  async get(@Param('workspaceId') ws: string, @Param('runId') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.runs.get(ws, id));
  }

  @Post(':runId/cancel')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Cancel a pending or running run (member): no batch starts after it' })
  @ApiUnprocessableEntityResponse({ description: 'ANALYSIS.RUN_TRANSITION_REFUSED: the run already ended' })
  async cancel(@Param('workspaceId') ws: string, @Param('runId') id: string, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.runs.cancel(ws, id, meta));
  }

  @Post(':runId/close')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Close a reviewed run (member)' })
  @ApiUnprocessableEntityResponse({ description: 'ANALYSIS.RUN_TRANSITION_REFUSED: the run is not reviewed yet' })
  async close(@Param('workspaceId') ws: string, @Param('runId') id: string, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.runs.close(ws, id, meta));
  }
}
