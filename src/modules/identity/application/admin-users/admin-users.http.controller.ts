import { Body, Controller, Get, Injectable, Param, Patch, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, isUUID, Max, MaxLength, Min } from 'class-validator';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { LogOutHandler } from '@modules/identity/application/log-out/log-out.handler';
import { userResponse } from '@modules/identity/application/shared/user.response';

class ListUsersQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

class UpdateUserStatusDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() superuser?: boolean;
  @ApiPropertyOptional({ example: { newInbox: true } }) @IsOptional() @IsObject() featureFlags?: Record<string, boolean>;
}

@Injectable()
export class AdminUsersHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly logOut: LogOutHandler,
  ) {}

  async update(id: string, input: UpdateUserStatusDto, meta: CommandMetadata) {
    if (!isUUID(id) || !(await this.queries.userById(id))) throw new IdentityError(Code.UserNotFound, 'No such user');
    await this.aggregates.user.handle(id, { kind: 'set-status', ...input, now: meta.now }, meta, { fingerprint: input });
    if (input.active === false) await this.logOut.all(id, 'user-deactivated', meta);
    return userResponse((await this.queries.userById(id))!);
  }
}

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
