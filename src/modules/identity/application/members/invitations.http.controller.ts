import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@libs/common/auth/principal';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';
import { AcceptInvitationRequestDto } from './members.request.dto';
import { MembersHandler } from './members.handler';

/** The invitee's side: an invitation is accepted by the account whose verified email it was sent to. */
@ApiTags('workspaces')
@ApiBearerAuth()
@UseGuards(UserGuard)
@Controller('api/v1/invitations')
export class InvitationsHttpController {
  constructor(private readonly members: MembersHandler) {}

  @Post('accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation sent to your email' })
  accept(@CurrentUser() user: Extract<Principal, { kind: 'user' }>, @Body() body: AcceptInvitationRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.members.accept(user.userId, body.token, meta);
  }
}
