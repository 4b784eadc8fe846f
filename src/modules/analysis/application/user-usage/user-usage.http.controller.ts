import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { UserUsageHandler } from './user-usage.handler';
import { UserUsageQueryDto } from './user-usage.request.dto';
import { UsageUser } from './usage-user.decorator';

const PAGE = { description: '{ from, to (UTC days, inclusive), totals: { aiQueries, aiTokensUsed, users }, items: [{ userId, date, aiQueries, aiTokensUsed, emailsReceived, emailsSent, contactsAdded, activeTimeSeconds }], nextCursor }' };

/**
 * Usage per user per day: counts and tokens only, never questions or answers. Admins read
 * everyone's; every member, viewers included (they may Ask), reads their own.
 */
@ApiTags('analysis')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/analysis/usage')
export class UserUsageHttpController {
  constructor(private readonly usage: UserUsageHandler) {}

  @Get('users')
  @RequireWorkspaceRole('admin')
  @ApiOperation({ summary: 'AI queries and tokens per user per day (admin)' })
  @ApiOkResponse(PAGE)
  users(@Param('workspaceId') ws: string, @Query() q: UserUsageQueryDto) {
    return this.usage.list(ws, null, q);
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller\'s own AI queries and tokens per day (any role; a signed-in user only)' })
  @ApiOkResponse(PAGE)
  me(@Param('workspaceId') ws: string, @Query() q: UserUsageQueryDto, @UsageUser() userId: string) {
    return this.usage.list(ws, userId, q);
  }
}
