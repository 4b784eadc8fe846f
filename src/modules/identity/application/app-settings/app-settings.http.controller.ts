import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { AppSettingsHandler } from './app-settings.handler';
import { PutAppSettingRequestDto } from './app-settings.request.dto';

const SETTING = '{ key, value, createdAt, updatedAt }';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/settings')
export class AppSettingsHttpController {
  constructor(private readonly settings: AppSettingsHandler) {}

  @Get()
  @ApiOkResponse({ description: `{ items: [${SETTING}] }, by key` })
  async list() {
    return { items: await this.settings.list() };
  }

  @Get(':key')
  @ApiOkResponse({ description: SETTING })
  get(@Param('key') key: string) {
    return this.settings.get(key);
  }

  @Put(':key')
  @ApiOperation({ summary: 'Set a platform setting (key: ^[a-z0-9][a-z0-9._-]{0,99}$)' })
  @ApiOkResponse({ description: SETTING })
  set(@Param('key') key: string, @Body() body: PutAppSettingRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.settings.set(key, body.value, meta);
  }

  @Delete(':key')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@Param('key') key: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.settings.delete(key, meta);
  }
}
