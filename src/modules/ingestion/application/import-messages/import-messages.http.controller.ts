import { Body, Controller, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { ApplicationError, PlatformErrorCode, ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { SourcesHandler } from '../sources/sources.handler';
import { csvRows, jsonRows, ndjsonRows } from './import-formats';
import { ImportRunner } from './import-runner';
import { ImportMessagesJsonDto, ImportMessagesQueryDto } from './import-messages.request.dto';

class UnsupportedMediaType extends ApplicationError {
  readonly code = PlatformErrorCode.UnsupportedMediaType;
}

const flatten = (errs: { property: string; constraints?: Record<string, string>; children?: any[] }[], parent = ''): { field: string; message: string }[] =>
  errs.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((message) => ({ field, message })), ...flatten(e.children ?? [], field)];
  });

/**
 * POST /messages/import: JSON (API.md shape), NDJSON (streamed line by line) or CSV (header
 * mapping). Answers when the import is done: 202 { jobId, accepted, duplicates, rejected }.
 */
@ApiTags('ingestion')
@WorkspaceScoped('member')
@Controller('api/v1/workspaces/:workspaceId/messages/import')
export class ImportMessagesHttpController {
  constructor(
    private readonly runner: ImportRunner,
    private readonly sources: SourcesHandler,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireWorkspaceRole('member')
  @ApiConsumes('application/json', 'application/x-ndjson', 'text/csv')
  @ApiOperation({ summary: 'Import messages (JSON, NDJSON streamed, CSV); re-importing stores nothing new' })
  @ApiAcceptedResponse({ description: '{ jobId, accepted, duplicates, rejected: [{ index, errors }], rejectedCount }' })
  async import(@Param('workspaceId') ws: string, @Req() req: Request, @Body() body: unknown, @Query() q: ImportMessagesQueryDto, @CommandMeta() meta: CommandMetadata) {
    const type = (req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json') {
      const dto = plainToInstance(ImportMessagesJsonDto, body ?? {});
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length) throw new ValidationFailedError('The import is not valid', flatten(errors));
      const source = await this.sources.findOrCreate(ws, dto.source.kind, dto.source.name, meta);
      if (!source.is_active) throw new IngestionError(IngestionErrorCode.SourceInactive, 'The source is deactivated');
      return this.runner.run({ id: source.id, kind: source.kind as SourceKind, workspaceId: ws }, jsonRows(dto.messages), { format: 'json' }, meta);
    }
    if (type !== 'application/x-ndjson' && type !== 'text/csv') {
      throw new UnsupportedMediaType('Send application/json, application/x-ndjson or text/csv', { contentType: type || null });
    }
    const source = await this.sourceFromQuery(ws, q, meta);
    const ref = { id: source.id, kind: source.kind as SourceKind, workspaceId: ws };
    if (type === 'application/x-ndjson') return this.runner.run(ref, ndjsonRows(req), { format: 'ndjson' }, meta);
    const mapping = q.mapping ? (JSON.parse(q.mapping) as Record<string, string>) : {};
    return this.runner.run(ref, csvRows(req, mapping), { format: 'csv' }, meta);
  }

  private async sourceFromQuery(ws: string, q: ImportMessagesQueryDto, meta: CommandMetadata) {
    if (q.sourceId) {
      const s = await this.sources.get(ws, q.sourceId);
      if (!s.is_active) throw new IngestionError(IngestionErrorCode.SourceInactive, 'The source is deactivated');
      return s;
    }
    if (q.sourceKind && q.sourceName) {
      const s = await this.sources.findOrCreate(ws, q.sourceKind, q.sourceName, meta);
      if (!s.is_active) throw new IngestionError(IngestionErrorCode.SourceInactive, 'The source is deactivated');
      return s;
    }
    throw new ValidationFailedError('Name the source: ?sourceId=, or ?sourceKind=&sourceName=', [{ field: 'sourceId', message: 'sourceId, or sourceKind and sourceName, is required' }]);
  }
}
