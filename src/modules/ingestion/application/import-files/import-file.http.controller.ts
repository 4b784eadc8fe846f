import { Body, Controller, HttpCode, Param, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOperation, ApiPayloadTooLargeResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { retryAfterOf } from '@modules/ingestion/application/import-messages/import-slots';
import { FileImports } from './import-file.service';
import { ImportFileRequestDto } from './import-file.request.dto';

/**
 * POST /imports: an export file as multipart (stored by multer in the OS temp dir, size-limited
 * by IMPORT_MAX_FILE_MB). Answers 202 { jobId } as soon as the job exists; the import runs in
 * the background and GET /jobs/:jobId shows its status, counters and rejected rows.
 */
@ApiTags('ingestion')
@WorkspaceScoped('member')
@Controller('api/v1/workspaces/:workspaceId/imports')
export class ImportFileHttpController {
  constructor(private readonly imports: FileImports) {}

  @Post()
  @HttpCode(202)
  @RequireWorkspaceRole('member')
  @UseInterceptors(FileInterceptor('file'))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImportFileRequestDto })
  @ApiOperation({ summary: 'Import an export file (slack-export, telegram-export, mbox, eml, email-zip, csv, ndjson, json) as a background job' })
  @ApiAcceptedResponse({ description: '{ jobId }: follow it at GET /jobs/:jobId (status running -> completed | failed, counters, rejected rows)' })
  @ApiPayloadTooLargeResponse({
    description: 'PAYLOAD_TOO_LARGE: the file is larger than IMPORT_MAX_FILE_MB; INGESTION.IMPORT_JSON_TOO_LARGE (IMPORT_JSON_MAX_MB), INGESTION.IMPORT_ZIP_TOO_MANY_ENTRIES / _ENTRY_TOO_LARGE / _TOO_LARGE (IMPORT_ZIP_MAX_*) from what the file declares',
  })
  @ApiTooManyRequestsResponse({ description: 'INGESTION.TOO_MANY_IMPORTS: IMPORT_MAX_CONCURRENT_PER_WORKSPACE imports run already; Retry-After' })
  async import(
    @Param('workspaceId') ws: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() body: ImportFileRequestDto,
    @CommandMeta() meta: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      return await this.imports.startInBackground(
        { workspaceId: ws, path: file?.path, fileName: file?.originalname, format: body.format, sourceId: body.sourceId, sourceName: body.sourceName, csvMapping: body.mapping ? JSON.parse(body.mapping) : undefined },
        meta,
      );
    } catch (err) {
      const retryAfter = retryAfterOf(err);
      if (retryAfter !== null) res.setHeader('Retry-After', String(retryAfter));
      throw err;
    }
  }
}
