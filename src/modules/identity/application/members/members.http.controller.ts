import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Principal } from '@libs/common/auth/principal';
import { RequireWorkspaceRole, workspaceRoleOf } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentPrincipal } from '@modules/identity/application/shared/current-user.decorator';
import { AddMemberRequestDto, ChangeRoleRequestDto } from './members.request.dto';
import { MembersHandler } from './members.handler';

@ApiTags('workspaces')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId')
export class MembersHttpController {
  constructor(private readonly members: MembersHandler) {}

  @Get('members')
  list(@Param('workspaceId') workspaceId: string) {
    return this.members.list(workspaceId);
  }

  @Post('members')
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Add a member by email (admin): an account joins at once, an unknown email is invited' })
  @ApiCreatedResponse({ description: "{ status: 'added', userId, role } or { status: 'invited', invitationId, expiresAt }" })
  add(@Param('workspaceId') ws: string, @Body() body: AddMemberRequestDto, @CurrentPrincipal() actor: Principal, @Req() req: Request, @CommandMeta() meta: CommandMetadata) {
    return this.members.add(ws, actor, workspaceRoleOf(req), body.email, body.role, meta);
  }

  @Patch('members/:userId')
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: "Change a member's role (admin; owners only by owners; never the last owner)" })
  changeRole(@Param('workspaceId') ws: string, @Param('userId') userId: string, @Body() body: ChangeRoleRequestDto, @Req() req: Request, @CommandMeta() meta: CommandMetadata) {
    return this.members.changeRole(ws, workspaceRoleOf(req), userId, body.role, meta);
  }

  @Delete('members/:userId')
  @HttpCode(204)
  @RequireWorkspaceRole('viewer')
  @ApiOperation({ summary: 'Remove a member (admin), or leave (yourself); the last owner stays' })
  async remove(@Param('workspaceId') ws: string, @Param('userId') userId: string, @CurrentPrincipal() actor: Principal, @Req() req: Request, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.members.remove(ws, actor, workspaceRoleOf(req), userId, meta);
  }

  @Get('invitations')
  @RequireWorkspaceRole('admin')
  async invitations(@Param('workspaceId') ws: string) {
    return { items: await this.members.invitations(ws) };
  }

  @Post('invitations')
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'Invite by email (admin); the token goes only to the invitee' })
  invite(@Param('workspaceId') ws: string, @Body() body: AddMemberRequestDto, @CurrentPrincipal() actor: Principal, @Req() req: Request, @CommandMeta() meta: CommandMetadata) {
    return this.members.invite(ws, actor, workspaceRoleOf(req), body.email, body.role, meta);
  }

  @Delete('invitations/:invitationId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  async revokeInvitation(@Param('workspaceId') ws: string, @Param('invitationId') id: string, @Req() req: Request, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.members.revokeInvitation(ws, workspaceRoleOf(req), id, meta);
  }
}
