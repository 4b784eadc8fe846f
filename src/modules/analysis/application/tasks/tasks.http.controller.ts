import { Body, Controller, Get, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { TasksHandler } from './tasks.handler';
import { ListTasksQueryDto, UpdateTaskRequestDto } from './tasks.request.dto';

@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/tasks')
export class TasksHttpController {
  constructor(private readonly tasks: TasksHandler) {}

  @Get()
  @ApiOperation({ summary: 'Tasks, newest first (keyset pages); ?status= ?assignee=' })
  list(@Param('workspaceId') ws: string, @Query() q: ListTasksQueryDto) {
    return this.tasks.list(ws, { status: q.status, assignee: q.assignee, cursor: q.cursor, limit: q.limit ?? 50 });
  }

  @Get(':taskId')
  @ApiOperation({ summary: 'One task with the messages it rests on; ETag = its version' })
  async get(@Param('workspaceId') ws: string, @Param('taskId') id: string, @Res({ passthrough: true }) res: Response) {
    const task = await this.tasks.get(ws, id);
    res.setHeader('ETag', `"${task.version}"`);
    return task;
  }

  @Patch(':taskId')
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Update a task (member): status, title, priority, assignee (manual), due date; If-Match its version' })
  async update(@Param('workspaceId') ws: string, @Param('taskId') id: string, @Body() body: UpdateTaskRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    const task = await this.tasks.update(ws, id, body, meta);
    res.setHeader('ETag', `"${task.version}"`);
    return task;
  }
}
