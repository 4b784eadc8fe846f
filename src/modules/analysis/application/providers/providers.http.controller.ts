import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IF_MATCH_HEADER, withEtag } from '@modules/analysis/infrastructure/configuration.http';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { providerResponse } from '@modules/analysis/infrastructure/configuration.responses';
import { ListConfigurationQueryDto } from '@modules/analysis/application/shared/list-configuration.request.dto';
import { ProvidersHandler } from './providers.handler';
import { CreateProviderRequestDto, UpdateProviderRequestDto } from './providers.request.dto';

/** LLM providers (seed 003 llm_providers): admins write, members and viewers read; API keys are never returned. */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/providers')
export class ProvidersHttpController {
  constructor(
    private readonly providers: ProvidersHandler,
    private readonly queries: ConfigurationQueries,
  ) {}

  @Post()
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Add an LLM provider (admin): validationStatus pending, then validating and connected | error after a real call to it' })
  @ApiCreatedResponse({ description: 'The provider (never its key: hasApiKey); ETag: its version' })
  @ApiConflictResponse({ description: 'ANALYSIS.NAME_TAKEN' })
  async create(@Param('workspaceId') ws: string, @Body() body: CreateProviderRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.providers.create(ws, body, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Providers by name (keyset pages)' })
  async list(@Param('workspaceId') ws: string, @Query() q: ListConfigurationQueryDto) {
    const page = await this.queries.providers(ws, { active: q.active, cursor: q.cursor, limit: q.limit ?? 50 });
    return { items: page.items.map(providerResponse), nextCursor: page.nextCursor };
  }

  @Get(':providerId')
  async get(@Param('workspaceId') ws: string, @Param('providerId') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.providers.get(ws, id));
  }

  @Patch(':providerId')
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Rename, move, replace or remove the key, (de)activate (admin); a new base URL or key is validated again' })
  async update(@Param('workspaceId') ws: string, @Param('providerId') id: string, @Body() body: UpdateProviderRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.providers.update(ws, id, body, meta));
  }

  @Post(':providerId/validate')
  @HttpCode(202)
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Run the test call again (admin); the answer is pending until it finished (GET the provider)' })
  @ApiAcceptedResponse({ description: 'The provider, validationStatus pending (builtin: connected)' })
  async validate(@Param('workspaceId') ws: string, @Param('providerId') id: string, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.providers.validate(ws, id, meta));
  }

  @Delete(':providerId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Delete a provider no agent config uses (admin); its name is free again' })
  @ApiConflictResponse({ description: 'ANALYSIS.CONFIGURATION_IN_USE' })
  async delete(@Param('workspaceId') ws: string, @Param('providerId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.providers.delete(ws, id, meta);
  }
}
