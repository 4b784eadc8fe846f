import { Body, Controller, Delete, Get, HttpCode, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@libs/common/auth/principal';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';
import { TelegramProfileHandler } from './telegram-profile.handler';
import { LinkTelegramProfileRequestDto } from './telegram-profile.request.dto';

type User = Extract<Principal, { kind: 'user' }>;

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(UserGuard)
@Controller('api/v1/me/telegram')
export class TelegramProfileHttpController {
  constructor(private readonly telegram: TelegramProfileHandler) {}

  @Put()
  @ApiOperation({ summary: 'Link your Telegram account, or update it (409 when that Telegram account is linked to someone else)' })
  @ApiOkResponse({ description: '{ telegramUserId, firstName, lastName, languageCode, isBot, isPremium, sourceId, createdAt, updatedAt }' })
  link(@CurrentUser() user: User, @Body() body: LinkTelegramProfileRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.telegram.link(user.userId, body, meta);
  }

  @Get()
  @ApiOperation({ summary: 'Your Telegram account (404 when none is linked)' })
  get(@CurrentUser() user: User) {
    return this.telegram.get(user.userId);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Unlink your Telegram account (its id can then be linked again, by anyone)' })
  @ApiNoContentResponse()
  async unlink(@CurrentUser() user: User, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.telegram.unlink(user.userId, meta);
  }
}
