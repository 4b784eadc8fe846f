import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { ClassificationExperimentsHandler } from './classification-experiments.handler';
import { CompareExperimentsQueryDto, CreateExperimentRequestDto, ListExperimentsQueryDto } from './classification-experiments.request.dto';

/** Classification experiments (seed 003): a model run over labelled messages, measured and compared. Members create; viewers read. */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/experiments')
export class ClassificationExperimentsHttpController {
  constructor(private readonly experiments: ClassificationExperimentsHandler) {}

  @Post()
  @HttpCode(202)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Run a provider/model over labelled messages against the workspace\'s topics or a label set; runs in the background (pending -> running -> completed | failed)' })
  @ApiAcceptedResponse({ description: 'The experiment, pending' })
  create(@Param('workspaceId') ws: string, @Body() body: CreateExperimentRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.experiments.request(ws, body, meta);
  }

  @Get()
  @ApiOperation({ summary: 'Experiments, newest first (keyset pages; per-message results only on GET one)' })
  list(@Param('workspaceId') ws: string, @Query() q: ListExperimentsQueryDto) {
    return this.experiments.list(ws, { limit: q.limit ?? 50, cursor: q.cursor });
  }

  // Before :experimentId, which would otherwise take "compare" for an id.
  @Get('compare')
  @ApiOperation({ summary: 'Two completed experiments side by side: accuracy, macro-F1, confidence and time deltas (B - A), per-label precision/recall/F1, the messages they disagree on' })
  @ApiOkResponse({ description: '{ a, b, comparison }' })
  compare(@Param('workspaceId') ws: string, @Query() q: CompareExperimentsQueryDto) {
    return this.experiments.compare(ws, q.a, q.b);
  }

  @Get(':experimentId')
  @ApiOperation({ summary: 'One experiment with its label snapshot, per-message results, confusion matrix and metrics' })
  get(@Param('workspaceId') ws: string, @Param('experimentId') id: string) {
    return this.experiments.get(ws, id);
  }
}
