import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IF_MATCH_HEADER, withEtag } from '@modules/analysis/infrastructure/configuration.http';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { taskConfigResponse } from '@modules/analysis/infrastructure/configuration.responses';
import { ListConfigurationQueryDto } from '@modules/analysis/application/shared/list-configuration.request.dto';
import { TaskConfigsHandler } from './task-configs.handler';
import { CreateTaskConfigRequestDto, UpdateTaskConfigRequestDto } from './task-configs.request.dto';

/** Task configs (seed 003 task_configs): admins write, members and viewers read. */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/task-configs')
export class TaskConfigsHttpController {
  constructor(
    private readonly tasks: TaskConfigsHandler,
    private readonly queries: ConfigurationQueries,
  ) {}

  @Post()
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Add a task config (admin); its response schema must compile (ajv)' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: responseSchema is not a valid JSON Schema (ajv\'s error)' })
  @ApiCreatedResponse({ description: 'The task config; ETag: its version' })
  @ApiConflictResponse({ description: 'ANALYSIS.NAME_TAKEN' })
  async create(@Param('workspaceId') ws: string, @Body() body: CreateTaskConfigRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.tasks.create(ws, body, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Task configs by name (keyset pages)' })
  async list(@Param('workspaceId') ws: string, @Query() q: ListConfigurationQueryDto) {
    const page = await this.queries.taskConfigs(ws, { active: q.active, cursor: q.cursor, limit: q.limit ?? 50 });
    return { items: page.items.map(taskConfigResponse), nextCursor: page.nextCursor };
  }

  @Get(':taskConfigId')
  async get(@Param('workspaceId') ws: string, @Param('taskConfigId') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.tasks.get(ws, id));
  }

  @Patch(':taskConfigId')
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  async update(@Param('workspaceId') ws: string, @Param('taskConfigId') id: string, @Body() body: UpdateTaskConfigRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.tasks.update(ws, id, body, meta));
  }

  @Delete(':taskConfigId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Delete a task config no assignment uses (admin); its name is free again' })
  async delete(@Param('workspaceId') ws: string, @Param('taskConfigId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.tasks.delete(ws, id, meta);
  }
}
