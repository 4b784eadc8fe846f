import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@libs/common/auth/principal';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';
import { ChangePasswordRequestDto, SelectWorkspaceRequestDto } from './change-password.request.dto';
import { MeHandler } from './me.handler';
import { UpdateProfileRequestDto } from './update-profile.request.dto';

type User = Extract<Principal, { kind: 'user' }>;

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(UserGuard)
@Controller('api/v1/me')
export class MeHttpController {
  constructor(private readonly me: MeHandler) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user with their organizations and workspaces (and role in each)' })
  @ApiOkResponse({ description: '{ id, email, firstName, lastName, fullName, ..., organizations: [...], workspaces: [{ id, name, slug, role }] }' })
  get(@CurrentUser() user: User) {
    return this.me.get(user.userId);
  }

  @Patch()
  @ApiOperation({ summary: 'Edit your profile (names, job title, E.164 phone, avatar, IANA timezone, theme, settings, onboarding)' })
  update(@CurrentUser() user: User, @Body() body: UpdateProfileRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.me.updateProfile(user.userId, body, meta);
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password; every other session of the account is revoked' })
  async changePassword(@CurrentUser() user: User, @Body() body: ChangePasswordRequestDto, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.me.changePassword(user.userId, user.sessionId, body.currentPassword, body.newPassword, meta);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'Your sessions: device, active workspace, created, last seen, revoked' })
  async sessions(@CurrentUser() user: User) {
    const items = await this.me.sessions(user.userId);
    return { items: items.map((s) => ({ ...s, current: s.id === user.sessionId })) };
  }

  @Delete('sessions/:sessionId')
  @HttpCode(204)
  async revoke(@CurrentUser() user: User, @Param('sessionId') sessionId: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.me.revokeSession(user.userId, sessionId, meta);
  }

  @Put('active-workspace')
  @ApiOperation({ summary: 'The workspace this session works in (seed sessions.active_project_id)' })
  selectWorkspace(@CurrentUser() user: User, @Body() body: SelectWorkspaceRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.me.selectWorkspace(user.userId, user.sessionId, body.workspaceId, meta);
  }
}
