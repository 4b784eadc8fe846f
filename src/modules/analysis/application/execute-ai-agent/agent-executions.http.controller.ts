import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { AgentOwner } from '@modules/analysis/application/manage-ai-agents/agent-owner.decorator';
import { AgentExecutionsHandler } from './agent-executions.handler';
import { ListExecutionsQueryDto, RequestExecutionRequestDto } from './agent-executions.request.dto';

/** Executions of an agent (seed 004 agent_executions): manual ones started here; scheduled and event ones listed with them. The agent's owner's only (anyone else: 404). */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/agents/:agentId/executions')
export class AgentExecutionsHttpController {
  constructor(private readonly executions: AgentExecutionsHandler) {}

  @Post()
  @HttpCode(202)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Run the agent on an input now (in the background: pending -> running -> completed | failed); it reads and may update its memory' })
  @ApiAcceptedResponse({ description: 'The execution, pending' })
  run(@Param('workspaceId') ws: string, @Param('agentId') agentId: string, @Body() body: RequestExecutionRequestDto, @CommandMeta() meta: CommandMetadata, @AgentOwner() owner: string | null) {
    return this.executions.requestManual(ws, agentId, body.input, meta, owner);
  }

  @Get()
  @ApiOperation({ summary: 'The agent\'s executions, newest first (keyset pages), by status or trigger' })
  list(@Param('workspaceId') ws: string, @Param('agentId') agentId: string, @Query() q: ListExecutionsQueryDto, @AgentOwner() owner: string | null) {
    return this.executions.list(ws, agentId, owner, { limit: q.limit ?? 50, cursor: q.cursor, status: q.status, trigger: q.trigger });
  }

  @Get(':executionId')
  get(@Param('workspaceId') ws: string, @Param('agentId') agentId: string, @Param('executionId') id: string, @AgentOwner() owner: string | null) {
    return this.executions.get(ws, agentId, id, owner);
  }
}
