import { Body, Controller, Get, Param, Patch, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { AdminUsersHandler } from './admin-users.handler';
import { ListUsersQueryDto, UpdateUserStatusDto } from './admin-users.request.dto';

/** Superuser administration of accounts: list, (de)activate, superuser flag, feature flags. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/users')
export class AdminUsersHttpController {
  constructor(
    private readonly queries: IdentityQueries,
    private readonly admin: AdminUsersHandler,
  ) {}

  @Get()
  async list(@Query() q: ListUsersQueryDto) {
    return { items: await this.queries.users({ q: q.q, limit: q.limit ?? 50 }) };
  }

  @Patch(':userId')
  update(@Param('userId') id: string, @Body() body: UpdateUserStatusDto, @CommandMeta() meta: CommandMetadata) {
    return this.admin.update(id, body, meta);
  }
}
