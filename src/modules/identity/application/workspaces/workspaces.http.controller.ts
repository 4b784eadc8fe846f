import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Principal } from '@libs/common/auth/principal';
import { workspaceRoleOf } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';
import { CreateWorkspaceRequestDto, UpdateWorkspaceRequestDto } from './workspace.request.dto';
import { WorkspacesHandler } from './workspaces.handler';

type User = Extract<Principal, { kind: 'user' }>;

@ApiTags('workspaces')
@ApiBearerAuth()
@Controller('api/v1/workspaces')
export class WorkspacesHttpController {
  constructor(private readonly workspaces: WorkspacesHandler) {}

  @Post()
  @UseGuards(UserGuard)
  @ApiOperation({ summary: 'Create a workspace; the caller becomes its owner' })
  @ApiCreatedResponse({ description: '{ id, name, slug, organizationId, ownerId, role }' })
  create(@CurrentUser() user: User, @Body() body: CreateWorkspaceRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.workspaces.create(user.userId, body, meta);
  }

  @Get()
  @UseGuards(UserGuard)
  @ApiOperation({ summary: 'The workspaces the caller is a member of, with their role' })
  async mine(@CurrentUser() user: User) {
    return { items: await this.workspaces.mine(user.userId) };
  }

  @Get(':workspaceId')
  @WorkspaceScoped()
  get(@Param('workspaceId') workspaceId: string, @Req() req: Request) {
    return this.workspaces.get(workspaceId, workspaceRoleOf(req));
  }

  @Patch(':workspaceId')
  @WorkspaceScoped('admin')
  @ApiOperation({ summary: 'Rename or change the slug (admin)' })
  update(@Param('workspaceId') workspaceId: string, @Body() body: UpdateWorkspaceRequestDto, @Req() req: Request, @CommandMeta() meta: CommandMetadata) {
    return this.workspaces.update(workspaceId, workspaceRoleOf(req), body, meta);
  }

  @Delete(':workspaceId')
  @HttpCode(204)
  @WorkspaceScoped('owner')
  @ApiOperation({ summary: 'Deactivate the workspace (owner); its data stays in the log' })
  async deactivate(@Param('workspaceId') workspaceId: string, @Req() req: Request, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.workspaces.deactivate(workspaceId, workspaceRoleOf(req), meta);
  }
}
