import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Principal } from '@libs/common/auth/principal';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';
import { OrganizationsHandler } from './organizations.handler';
import { CreateOrganizationRequestDto, UpdateOrganizationRequestDto } from './organizations.request.dto';

@ApiTags('organizations')
@ApiBearerAuth()
@UseGuards(UserGuard)
@Controller('api/v1/organizations')
export class OrganizationsHttpController {
  constructor(private readonly organizations: OrganizationsHandler) {}

  @Post()
  create(@CurrentUser() user: Extract<Principal, { kind: 'user' }>, @Body() body: CreateOrganizationRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.organizations.create(user.userId, body, meta);
  }

  @Get(':organizationId')
  get(@CurrentUser() user: Extract<Principal, { kind: 'user' }>, @Param('organizationId') id: string) {
    return this.organizations.get(user.userId, id);
  }

  @Patch(':organizationId')
  update(@CurrentUser() user: Extract<Principal, { kind: 'user' }>, @Param('organizationId') id: string, @Body() body: UpdateOrganizationRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.organizations.update(user.userId, id, body, meta);
  }
}
