import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { AgentOwner } from './agent-owner.decorator';
import { AiAgentsHandler } from './ai-agents.handler';
import { CreateAgentRequestDto, PageQueryDto, UpdateAgentRequestDto } from './ai-agents.request.dto';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The agent version (its ETag) the change is based on; 412 when it moved on' };

function withEtag<T extends { streamVersion: number }>(res: Response, body: T): T {
  res.setHeader('ETag', `"${body.streamVersion}"`);
  return body;
}

/** AI agents (seed 004): typed assistants with a model config, skills, triggers and a persistent memory. Each is its owner's: members create them, and only the owner reads, runs or changes one (anyone else: 404). */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/agents')
export class AiAgentsHttpController {
  constructor(private readonly agents: AiAgentsHandler) {}

  @Post()
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Create an agent (you own it); a config schedule makes it a scheduled job, config events an event-triggered consumer' })
  @ApiCreatedResponse({ description: 'The agent; ETag: its version' })
  async create(@Param('workspaceId') ws: string, @Body() body: CreateAgentRequestDto, @CommandMeta() meta: CommandMetadata, @AgentOwner() owner: string | null, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.agents.create(ws, body, meta, owner));
  }

  @Get()
  @ApiOperation({ summary: 'Your agents by name (keyset pages)' })
  list(@Param('workspaceId') ws: string, @Query() q: PageQueryDto, @AgentOwner() owner: string | null) {
    return this.agents.list(ws, owner, { limit: q.limit ?? 50, cursor: q.cursor });
  }

  @Get(':agentId')
  async get(@Param('workspaceId') ws: string, @Param('agentId') id: string, @AgentOwner() owner: string | null, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.agents.get(ws, id, owner));
  }

  @Patch(':agentId')
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Change an agent (name, description, type, config, skills, isActive)' })
  async update(@Param('workspaceId') ws: string, @Param('agentId') id: string, @Body() body: UpdateAgentRequestDto, @CommandMeta() meta: CommandMetadata, @AgentOwner() owner: string | null, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.agents.update(ws, id, body, meta, owner));
  }

  @Delete(':agentId')
  @RequireWorkspaceRole('member')
  @HttpCode(204)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Delete an agent: its memory goes, its name is free, its schedule and triggers stop; its past executions stay in the log' })
  async delete(@Param('workspaceId') ws: string, @Param('agentId') id: string, @CommandMeta() meta: CommandMetadata, @AgentOwner() owner: string | null): Promise<void> {
    await this.agents.delete(ws, id, meta, owner);
  }

  @Delete(':agentId/memory')
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Forget everything the agent remembers' })
  async clearMemory(@Param('workspaceId') ws: string, @Param('agentId') id: string, @CommandMeta() meta: CommandMetadata, @AgentOwner() owner: string | null, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.agents.clearMemory(ws, id, meta, owner));
  }
}
