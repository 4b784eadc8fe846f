import { Body, Controller, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConsumes, ApiOperation, ApiPayloadTooLargeResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { UnsupportedMediaTypeError, ValidationFailedError } from '@libs/common/errors/application-error';
import { validationFieldErrors } from '@libs/common/http/validation.pipe';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { SourcesHandler } from '@modules/ingestion/application/sources/sources.handler';
import { csvRows, jsonRows, ndjsonRows } from './import-formats';
import { humanBytes, ImportLimitError, ImportLimits, importLimitsOf } from './import-limits';
import { ImportRunner } from './import-runner';
import { ImportSlots, retryAfterOf } from './import-slots';
import { ImportMessagesJsonDto, ImportMessagesQueryDto } from './import-messages.request.dto';

/**
 * POST /messages/import: JSON (docs/api.md shape), NDJSON (streamed line by line) or CSV (header
 * mapping). Answers when the import is done: 202 { jobId, accepted, duplicates, rejected }.
 * NDJSON/CSV bodies are held to IMPORT_BODY_MAX_MB and IMPORT_MAX_LINE_BYTES (413; what came
 * before the limit is stored and the problem names the job) and take one of the workspace's
 * import slots (429 with Retry-After when all are taken).
 */
@ApiTags('ingestion')
@WorkspaceScoped('member')
@Controller('api/v1/workspaces/:workspaceId/messages/import')
export class ImportMessagesHttpController {
  private readonly limits: ImportLimits;

  constructor(
    private readonly runner: ImportRunner,
    private readonly sources: SourcesHandler,
    private readonly slots: ImportSlots,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = importLimitsOf(config);
  }

  @Post()
  @HttpCode(202)
  @RequireWorkspaceRole('member')
  @ApiConsumes('application/json', 'application/x-ndjson', 'text/csv')
  @ApiOperation({ summary: 'Import messages (JSON, NDJSON streamed, CSV); re-importing stores nothing new' })
  @ApiAcceptedResponse({ description: '{ jobId, accepted, duplicates, rejected: [{ index, errors }], rejectedCount }' })
  @ApiPayloadTooLargeResponse({ description: 'INGESTION.IMPORT_BODY_TOO_LARGE (IMPORT_BODY_MAX_MB) or INGESTION.IMPORT_LINE_TOO_LONG (IMPORT_MAX_LINE_BYTES); mid-stream the rows before are stored and the problem carries jobId and counts' })
  @ApiTooManyRequestsResponse({ description: 'INGESTION.TOO_MANY_IMPORTS: IMPORT_MAX_CONCURRENT_PER_WORKSPACE imports run already; Retry-After' })
  async import(
    @Param('workspaceId') ws: string,
    @Req() req: Request,
    @Body() body: unknown,
    @Query() q: ImportMessagesQueryDto,
    @CommandMeta() meta: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const type = (req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json') {
      const dto = plainToInstance(ImportMessagesJsonDto, body ?? {});
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length) throw new ValidationFailedError('The import is not valid', validationFieldErrors(errors));
      const source = await this.sources.findOrCreate(ws, dto.source.kind, dto.source.name, meta);
      if (!source.is_active) throw new IngestionError(IngestionErrorCode.SourceInactive, 'The source is deactivated');
      return this.runner.run({ id: source.id, kind: source.kind as SourceKind, workspaceId: ws }, jsonRows(dto.messages), { format: 'json' }, meta);
    }
    if (type !== 'application/x-ndjson' && type !== 'text/csv') {
      throw new UnsupportedMediaTypeError('Send application/json, application/x-ndjson or text/csv', { contentType: type || null });
    }
    try {
      return await this.streamed(ws, type, req, q, meta);
    } catch (err) {
      // The answer must reach the client: the rest of a refused body is read and dropped (memory stays flat).
      if (!req.complete) req.resume();
      const retryAfter = retryAfterOf(err);
      if (retryAfter !== null) res.setHeader('Retry-After', String(retryAfter));
      throw err;
    }
  }

  private async streamed(ws: string, type: string, req: Request, q: ImportMessagesQueryDto, meta: CommandMetadata) {
    const declared = Number(req.header('content-length'));
    if (declared > this.limits.maxBodyBytes) {
      throw new ImportLimitError(IngestionErrorCode.ImportBodyTooLarge, `The body is ${humanBytes(declared)}, more than ${humanBytes(this.limits.maxBodyBytes)} (IMPORT_BODY_MAX_MB): split the import`, 'IMPORT_BODY_MAX_MB', this.limits.maxBodyBytes);
    }
    const release = this.slots.acquire(ws);
    try {
      const source = await this.sourceFromQuery(ws, q, meta);
      const ref = { id: source.id, kind: source.kind as SourceKind, workspaceId: ws };
      if (type === 'application/x-ndjson') return await this.runner.run(ref, ndjsonRows(req, this.limits), { format: 'ndjson' }, meta);
      const mapping = q.mapping ? (JSON.parse(q.mapping) as Record<string, string>) : {};
      return await this.runner.run(ref, csvRows(req, mapping, this.limits), { format: 'csv' }, meta);
    } finally {
      release();
    }
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
