import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IngestionQueries } from '@modules/ingestion/infrastructure/ingestion.queries';
import { sourceResponse, SourcesHandler } from './sources.handler';
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
  @ApiOperation({ summary: 'Connect a source (admin); its provider account binds to this workspace only; credentials are encrypted and never returned' })
  @ApiCreatedResponse({ description: '{ id, kind, name, hasCredentials, webhookUrl, ... }' })
  connect(@Param('workspaceId') ws: string, @Body() body: ConnectSourceRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.sources.connect(ws, body, meta);
  }

  @Get()
  async list(@Param('workspaceId') ws: string) {
    return { items: (await this.queries.sources(ws)).map(sourceResponse) };
  }

  @Get(':sourceId')
  async get(@Param('workspaceId') ws: string, @Param('sourceId') id: string) {
    return sourceResponse(await this.sources.get(ws, id));
  }

  @Patch(':sourceId')
  @RequireWorkspaceRole('admin')
  update(@Param('workspaceId') ws: string, @Param('sourceId') id: string, @Body() body: UpdateSourceRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.sources.update(ws, id, body, meta);
  }

  @Delete(':sourceId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Deactivate a source (its messages stay)' })
  async deactivate(@Param('workspaceId') ws: string, @Param('sourceId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.sources.deactivate(ws, id, meta);
  }
}
