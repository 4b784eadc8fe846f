import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@libs/common/auth/principal';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';
import { OAuthAccountsHandler } from './oauth-accounts.handler';
import { LinkOAuthAccountRequestDto, OAuthSyncStateRequestDto, RefreshOAuthTokensRequestDto } from './oauth-accounts.request.dto';

type User = Extract<Principal, { kind: 'user' }>;

const ACCOUNT = '{ id, provider, providerAccountId, expiresAt, tokenType, scope, sessionState, hasRefreshToken, hasIdToken, syncState, createdAt, updatedAt } (never a token)';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(UserGuard)
@Controller('api/v1/me/oauth-accounts')
export class OAuthAccountsHttpController {
  constructor(private readonly accounts: OAuthAccountsHandler) {}

  @Post()
  @ApiOperation({ summary: 'Link an OAuth account (or link it again with new tokens); 409 when it is linked to someone else' })
  @ApiCreatedResponse({ description: ACCOUNT })
  link(@CurrentUser() user: User, @Body() body: LinkOAuthAccountRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.accounts.link(user.userId, body, meta);
  }

  @Get()
  @ApiOkResponse({ description: `{ items: [${ACCOUNT}] }` })
  async list(@CurrentUser() user: User) {
    return { items: await this.accounts.list(user.userId) };
  }

  @Patch(':accountId/sync-state')
  @ApiOperation({ summary: "Replace the account's sync state (the sync job's cursors)" })
  setSyncState(@CurrentUser() user: User, @Param('accountId') id: string, @Body() body: OAuthSyncStateRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.accounts.setSyncState(user.userId, id, body.syncState, meta);
  }

  @Post(':accountId/tokens')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record refreshed tokens (a new access token and expiry; refresh/id tokens when rotated)' })
  @ApiOkResponse({ description: ACCOUNT })
  refreshTokens(@CurrentUser() user: User, @Param('accountId') id: string, @Body() body: RefreshOAuthTokensRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.accounts.refreshTokens(user.userId, id, body, meta);
  }

  @Delete(':accountId')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Disconnect an OAuth account: revoked at the provider first (Google, Slack; Microsoft has no revocation endpoint, remove the app at myapps.microsoft.com), then unlinked even if that failed; every source reading it is deactivated',
  })
  @ApiOkResponse({ description: "{ revoked: boolean, revocation: 'revoked' | 'failed' | 'not_supported' | 'not_attempted' }" })
  unlink(@CurrentUser() user: User, @Param('accountId') id: string, @CommandMeta() meta: CommandMetadata) {
    return this.accounts.unlink(user.userId, id, meta);
  }
}
