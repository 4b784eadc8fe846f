import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { IngestionQueries } from '@modules/ingestion/infrastructure/ingestion.queries';

@ApiTags('ingestion')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/jobs')
export class GetJobHttpController {
  constructor(private readonly queries: IngestionQueries) {}

  @Get(':jobId')
  @ApiOperation({ summary: 'An ingestion job: status, counters (seed 003), rejected rows with their index and reasons' })
  @ApiOkResponse({
    description:
      '{ id, status, counters: { fetched, stored, skipped, duplicates, rejected, errors, batches, totalBatches }, errors: [{ index, externalId, errors: [{ field, message }] }] }: ' +
      'a job with rejected rows is still completed; failed means the input could not be read on (the last entry of errors says how far it got)',
  })
  async get(@Param('workspaceId') ws: string, @Param('jobId') id: string) {
    const j = isUUID(id) ? await this.queries.job(ws, id) : null;
    if (!j) throw new IngestionError(IngestionErrorCode.JobNotFound, 'No such job');
    return {
      id: j.id,
      status: j.status,
      kind: j.kind,
      format: j.format,
      sourceId: j.source_id,
      fileName: j.file_name,
      counters: { fetched: j.messages_fetched, stored: j.messages_stored, skipped: j.messages_skipped, duplicates: j.messages_duplicate, rejected: j.errors_count, errors: j.errors_count, batches: j.current_batch, totalBatches: j.total_batches },
      errors: j.error_log,
      startedAt: j.started_at,
      completedAt: j.completed_at,
      createdAt: j.created_at,
      updatedAt: j.updated_at,
    };
  }
}
