import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IF_MATCH_HEADER, withEtag } from '@modules/analysis/infrastructure/configuration.http';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { projectConfigResponse } from '@modules/analysis/infrastructure/configuration.responses';
import { ListConfigurationQueryDto } from '@modules/analysis/application/shared/list-configuration.request.dto';
import { ProjectConfigsHandler } from './project-configs.handler';
import { CreateProjectConfigRequestDto, UpdateProjectConfigRequestDto } from './project-configs.request.dto';

/** Project configs (seed 003 project_configs): admins write, members and viewers read. */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/projects')
export class ProjectConfigsHttpController {
  constructor(
    private readonly projects: ProjectConfigsHandler,
    private readonly queries: ConfigurationQueries,
  ) {}

  @Post()
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Add a project config (admin); default assignees and the PM must be workspace members' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a field of the wrong shape, or a user who is not a member' })
  @ApiCreatedResponse({ description: 'The project config; ETag: its version' })
  @ApiConflictResponse({ description: 'ANALYSIS.NAME_TAKEN' })
  async create(@Param('workspaceId') ws: string, @Body() body: CreateProjectConfigRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.projects.create(ws, body, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Project configs by name (keyset pages)' })
  async list(@Param('workspaceId') ws: string, @Query() q: ListConfigurationQueryDto) {
    const page = await this.queries.projectConfigs(ws, { active: q.active, cursor: q.cursor, limit: q.limit ?? 50 });
    return { items: page.items.map(projectConfigResponse), nextCursor: page.nextCursor };
  }

  @Get(':projectConfigId')
  async get(@Param('workspaceId') ws: string, @Param('projectConfigId') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.projects.get(ws, id));
  }

  @Patch(':projectConfigId')
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  async update(@Param('workspaceId') ws: string, @Param('projectConfigId') id: string, @Body() body: UpdateProjectConfigRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.projects.update(ws, id, body, meta));
  }

  @Delete(':projectConfigId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Delete a project config (admin); runs keep the snapshot they took; its name is free again' })
  async delete(@Param('workspaceId') ws: string, @Param('projectConfigId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.projects.delete(ws, id, meta);
  }
}
