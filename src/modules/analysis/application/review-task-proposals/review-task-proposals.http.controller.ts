import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { ReviewTaskProposals } from './review-task-proposals.handler';
import { ApproveTaskProposalRequestDto, BulkReviewRequestDto, EditTaskProposalRequestDto, ListTaskProposalsQueryDto, MergeTaskProposalRequestDto, RejectTaskProposalRequestDto } from './review-task-proposals.request.dto';

@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/proposals')
export class ReviewTaskProposalsHttpController {
  constructor(private readonly review: ReviewTaskProposals) {}

  @Get()
  @ApiOperation({ summary: 'Task proposals, oldest first (keyset pages); ?runId= those a run found, ?status=' })
  list(@Param('workspaceId') ws: string, @Query() q: ListTaskProposalsQueryDto) {
    return this.review.list(ws, { runId: q.runId, status: q.status, cursor: q.cursor, limit: q.limit ?? 50 });
  }

  @Get(':proposalId')
  @ApiOperation({ summary: 'One proposal with its source messages, their quotes and the runs that included them' })
  get(@Param('workspaceId') ws: string, @Param('proposalId') id: string) {
    return this.review.get(ws, id);
  }

  @Patch(':proposalId')
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Edit a pending proposal (member); If-Match its version' })
  edit(@Param('workspaceId') ws: string, @Param('proposalId') id: string, @Body() body: EditTaskProposalRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.review.edit(ws, id, body, meta);
  }

  @Post('bulk')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Approve or reject many proposals (member); each is answered on its own' })
  @ApiOkResponse({ description: '{ results: [{ proposalId, status, taskId?, error? }], succeeded, refused }' })
  bulk(@Param('workspaceId') ws: string, @Body() body: BulkReviewRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.review.bulk(ws, body.action, body.proposalIds, body.reason, meta);
  }

  @Post(':proposalId/approve')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Approve (member), optionally with edits first: creates the task' })
  @ApiConflictResponse({ description: 'ANALYSIS.PROPOSAL_ALREADY_REVIEWED' })
  approve(@Param('workspaceId') ws: string, @Param('proposalId') id: string, @Body() body: ApproveTaskProposalRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.review.approve(ws, id, body.edits, meta);
  }

  @Post(':proposalId/reject')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Reject with a reason (member)' })
  reject(@Param('workspaceId') ws: string, @Param('proposalId') id: string, @Body() body: RejectTaskProposalRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.review.reject(ws, id, body.reason, meta);
  }

  @Post(':proposalId/merge')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Merge into an existing task (member): its messages are linked to the task; counted as approved' })
  merge(@Param('workspaceId') ws: string, @Param('proposalId') id: string, @Body() body: MergeTaskProposalRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.review.merge(ws, id, body.taskId, meta);
  }
}
