import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiSeeOtherResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Principal, principalOf } from '@libs/common/auth/principal';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';
import { CallbackQuery, OAuthConnectHandler } from './oauth-connect.handler';
import { ConnectOAuthRequestDto } from './oauth-connect.request.dto';

type User = Extract<Principal, { kind: 'user' }>;

@ApiTags('me')
@Controller()
export class OAuthConnectHttpController {
  constructor(private readonly connect: OAuthConnectHandler) {}

  @Post('api/v1/workspaces/:workspaceId/oauth/:provider/connect')
  // The member guard runs first (another workspace is 404 to anyone), then only a person may link their own account (no API key).
  @UseGuards(UserGuard)
  @WorkspaceScoped('member')
  @HttpCode(200)
  @ApiOperation({ summary: "Start connecting a Google, Microsoft or Slack account (a signed-in member, role member or above): the provider's consent URL (PKCE S256, a signed single-use state, 10 minutes)" })
  @ApiOkResponse({ description: '{ authorizationUrl, expiresAt }' })
  @ApiConflictResponse({ description: 'IDENTITY.OAUTH_PROVIDER_NOT_CONFIGURED' })
  start(@CurrentUser() user: User, @Param('workspaceId') ws: string, @Param('provider') provider: string, @Body() body: ConnectOAuthRequestDto) {
    return this.connect.connect(user.userId, ws, provider, body ?? {});
  }

  /** The browser arrives from the provider without a bearer: the signed state is the authentication. */
  @Get('api/v1/oauth/:provider/callback')
  @ApiOperation({ summary: "The provider's redirect: exchanges the code, links the account (tokens sealed). 303 to returnTo?connected=<id>, or 200 { accountId, provider, scopes }" })
  @ApiOkResponse({ description: '{ accountId, provider, scopes }' })
  @ApiSeeOtherResponse({ description: 'To the connect call\'s returnTo, with ?connected=<accountId>' })
  @ApiBadRequestResponse({ description: 'IDENTITY.OAUTH_STATE_INVALID | OAUTH_STATE_EXPIRED | OAUTH_CODE_REJECTED | OAUTH_AUTHORIZATION_FAILED; 403 OAUTH_AUTHORIZATION_DENIED | OAUTH_STATE_OTHER_USER; 409 OAUTH_STATE_USED' })
  async callback(@Param('provider') provider: string, @Query() q: Record<string, unknown>, @Req() req: Request, @Res() res: Response, @CommandMeta() meta: CommandMetadata) {
    const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const query: CallbackQuery = { code: one(q.code), state: one(q.state), error: one(q.error) };
    const caller = principalOf(req);
    const outcome = await this.connect.callback(provider, query, caller?.kind === 'user' ? caller.userId : null, meta);
    // The code and state are in this URL: no referrer to the next page, nothing cached.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if ('redirect' in outcome) res.redirect(303, outcome.redirect);
    else res.status(200).json(outcome.json);
  }
}
