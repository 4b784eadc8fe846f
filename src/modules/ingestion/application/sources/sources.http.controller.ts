import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IngestionQueries } from '@modules/ingestion/infrastructure/ingestion.queries';
import { SourcesHandler } from './sources.handler';
import { ConnectSourceRequestDto, UpdateSourceRequestDto } from './sources.request.dto';

@ApiTags('ingestion')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/sources')
export class SourcesHttpController {
  constructor(
    private readonly sources: SourcesHandler,
    private readonly queries: IngestionQueries,
  ) {}

  @Post()
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Connect a source (admin); credentials are encrypted and never returned. Its provider account binds to this workspace once the credentials prove it (accountVerified)' })
  @ApiCreatedResponse({ description: '{ id, kind, name, hasCredentials, webhookUrl, ... }' })
  connect(@Param('workspaceId') ws: string, @Body() body: ConnectSourceRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.sources.connect(ws, body, meta);
  }

  @Get()
  async list(@Param('workspaceId') ws: string) {
    return { items: (await this.queries.sources(ws)).map((s) => this.sources.response(s)) };
  }

  @Get(':sourceId')
  async get(@Param('workspaceId') ws: string, @Param('sourceId') id: string) {
    return this.sources.response(await this.sources.get(ws, id));
  }

  @Patch(':sourceId')
  @RequireWorkspaceRole('admin')
  update(@Param('workspaceId') ws: string, @Param('sourceId') id: string, @Body() body: UpdateSourceRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.sources.update(ws, id, body, meta);
  }

  @Post(':sourceId/verify')
  @HttpCode(200)
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Prove the provider account with the source\'s credentials now (admin); only a proven account binds to this workspace' })
  @ApiOkResponse({ description: 'The source, accountVerified: true' })
  @ApiUnprocessableEntityResponse({ description: 'INGESTION.ACCOUNT_NOT_VERIFIED: the credentials did not prove the account (the reason says why)' })
  @ApiConflictResponse({ description: 'INGESTION.SOURCE_EXTERNAL_ACCOUNT_TAKEN: another workspace holds the proven account' })
  verify(@Param('workspaceId') ws: string, @Param('sourceId') id: string, @CommandMeta() meta: CommandMetadata) {
    return this.sources.verify(ws, id, meta);
  }

  @Delete(':sourceId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Deactivate a source (its messages stay)' })
  async deactivate(@Param('workspaceId') ws: string, @Param('sourceId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.sources.deactivate(ws, id, meta);
  }
}
