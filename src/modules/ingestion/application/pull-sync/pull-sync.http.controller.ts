import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { PullSyncService } from './pull-sync.service';

@ApiTags('ingestion')
@WorkspaceScoped('admin')
@Controller('api/v1/workspaces/:workspaceId/sources/:sourceId/sync')
export class PullSyncHttpController {
  constructor(private readonly sync: PullSyncService) {}

  @Post()
  @HttpCode(202)
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Sync a pulled source now (admin): runs in the background from its watermark; follow GET /jobs/:jobId. When its provider kind is at its concurrency limit (PULL_SYNC_CONCURRENCY) the job waits for a slot' })
  @ApiAcceptedResponse({ description: '{ jobId }' })
  @ApiConflictResponse({ description: 'INGESTION.SYNC_ALREADY_RUNNING: a sync of this source is running' })
  start(@Param('workspaceId') ws: string, @Param('sourceId') sourceId: string, @CommandMeta() meta: CommandMetadata) {
    return this.sync.start(ws, sourceId, meta);
  }
}
