import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IF_MATCH_HEADER, withEtag } from '@modules/analysis/infrastructure/configuration.http';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { assignmentResponse } from '@modules/analysis/infrastructure/configuration.responses';
import { AssignmentsHandler } from './assignments.handler';
import { CreateAssignmentRequestDto, ListAssignmentsQueryDto, UpdateAssignmentRequestDto } from './assignments.request.dto';

/** Agent<->task assignments (seed 003 agent_task_assignments): admins write, members and viewers read. */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/assignments')
export class AssignmentsHttpController {
  constructor(
    private readonly assignments: AssignmentsHandler,
    private readonly queries: ConfigurationQueries,
  ) {}

  @Post()
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Assign an agent to a task (admin)' })
  @ApiCreatedResponse({ description: 'The assignment; ETag: its version' })
  @ApiConflictResponse({ description: 'ANALYSIS.ASSIGNMENT_EXISTS: the agent is already assigned to the task' })
  async create(@Param('workspaceId') ws: string, @Body() body: CreateAssignmentRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.assignments.create(ws, body, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Assignments, oldest first (keyset pages), by agent or task' })
  async list(@Param('workspaceId') ws: string, @Query() q: ListAssignmentsQueryDto) {
    const page = await this.queries.assignments(ws, { active: q.active, agentId: q.agentId, taskId: q.taskId, cursor: q.cursor, limit: q.limit ?? 50 });
    return { items: page.items.map(assignmentResponse), nextCursor: page.nextCursor };
  }

  @Get(':assignmentId')
  async get(@Param('workspaceId') ws: string, @Param('assignmentId') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.assignments.get(ws, id));
  }

  @Patch(':assignmentId')
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: '(De)activate an assignment (admin); another agent or task is another assignment' })
  async update(@Param('workspaceId') ws: string, @Param('assignmentId') id: string, @Body() body: UpdateAssignmentRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.assignments.update(ws, id, body, meta));
  }

  @Delete(':assignmentId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Delete an assignment (admin); the pair may be assigned again' })
  async delete(@Param('workspaceId') ws: string, @Param('assignmentId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.assignments.delete(ws, id, meta);
  }
}
