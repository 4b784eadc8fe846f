import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IF_MATCH_HEADER, withEtag } from '@modules/analysis/infrastructure/configuration.http';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { agentConfigResponse } from '@modules/analysis/infrastructure/configuration.responses';
import { ListConfigurationQueryDto } from '@modules/analysis/application/shared/list-configuration.request.dto';
import { AgentConfigsHandler } from './agent-configs.handler';
import { CreateAgentConfigRequestDto, UpdateAgentConfigRequestDto } from './agent-configs.request.dto';

export class ListAgentConfigsQueryDto extends ListConfigurationQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the agents of this provider' }) @IsOptional() @IsUUID() providerId?: string;
}

/** Agent configs (seed 003 agent_configs): admins write, members and viewers read. */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/agent-configs')
export class AgentConfigsHttpController {
  constructor(
    private readonly agents: AgentConfigsHandler,
    private readonly queries: ConfigurationQueries,
  ) {}

  @Post()
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Add an agent config (admin)' })
  @ApiCreatedResponse({ description: 'The agent config; ETag: its version' })
  @ApiConflictResponse({ description: 'ANALYSIS.NAME_TAKEN' })
  async create(@Param('workspaceId') ws: string, @Body() body: CreateAgentConfigRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.agents.create(ws, body, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Agent configs by name (keyset pages)' })
  async list(@Param('workspaceId') ws: string, @Query() q: ListAgentConfigsQueryDto) {
    const page = await this.queries.agentConfigs(ws, { active: q.active, providerId: q.providerId, cursor: q.cursor, limit: q.limit ?? 50 });
    return { items: page.items.map(agentConfigResponse), nextCursor: page.nextCursor };
  }

  @Get(':agentConfigId')
  async get(@Param('workspaceId') ws: string, @Param('agentConfigId') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.agents.get(ws, id));
  }

  @Patch(':agentConfigId')
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  async update(@Param('workspaceId') ws: string, @Param('agentConfigId') id: string, @Body() body: UpdateAgentConfigRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.agents.update(ws, id, body, meta));
  }

  @Delete(':agentConfigId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Delete an agent config no assignment uses (admin); its name is free again' })
  async delete(@Param('workspaceId') ws: string, @Param('agentConfigId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.agents.delete(ws, id, meta);
  }
}
