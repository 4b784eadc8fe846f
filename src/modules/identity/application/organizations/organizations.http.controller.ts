import { Body, Controller, Get, Injectable, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsFQDN, IsIn, IsOptional, IsString, IsUrl, isUUID, Length, MaxLength } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { Principal } from '@libs/common/auth/principal';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { OrganizationProfile } from '@modules/identity/domain/organization/organization.decider';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const SIZES = ['startup', 'small', 'medium', 'enterprise'] as const;
const PLANS = ['free', 'pro', 'enterprise'] as const;

export class CreateOrganizationRequestDto {
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ enum: SIZES }) @IsOptional() @IsIn(SIZES as unknown as string[]) size?: OrganizationProfile['size'];
  @ApiPropertyOptional({ example: 'example.com' }) @IsOptional() @IsFQDN() domain?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(120) industry?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) description?: string;
  @ApiPropertyOptional() @IsOptional() @IsUrl({ require_protocol: true }) @MaxLength(500) website?: string;
  @ApiPropertyOptional({ enum: PLANS }) @IsOptional() @IsIn(PLANS as unknown as string[]) subscriptionPlan?: OrganizationProfile['subscriptionPlan'];
}

export class UpdateOrganizationRequestDto extends PartialType(CreateOrganizationRequestDto) {}

/** Organizations (seed companies / account scopes): names are unique, the creator manages it. */
@Injectable()
export class OrganizationsHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
  ) {}

  async create(userId: string, input: CreateOrganizationRequestDto, meta: CommandMetadata) {
    const organizationId = uuidv7();
    await this.aggregates.organizationNames.claim(input.name.toLowerCase(), organizationId, meta);
    await this.aggregates.organization.handle(organizationId, {
      kind: 'create',
      organizationId,
      createdBy: userId,
      profile: {
        name: input.name,
        size: input.size ?? null,
        domain: input.domain?.toLowerCase() ?? null,
        industry: input.industry ?? null,
        description: input.description ?? null,
        website: input.website ?? null,
        subscriptionPlan: input.subscriptionPlan ?? 'free',
      },
      now: meta.now,
    }, meta, { fingerprint: input });
    return this.queries.organization(organizationId);
  }

  async get(userId: string, id: string) {
    const user = await this.queries.userById(userId);
    const mine = isUUID(id) && user ? await this.queries.organizationsOf(userId, user.organization_id) : [];
    if (!mine.some((o) => o.id === id)) throw new IdentityError(Code.OrganizationNotFound, 'No such organization');
    return this.queries.organization(id);
  }

  async update(userId: string, id: string, input: UpdateOrganizationRequestDto, meta: CommandMetadata) {
    const org = isUUID(id) ? await this.queries.organization(id) : null;
    if (!org) throw new IdentityError(Code.OrganizationNotFound, 'No such organization');
    if (org.createdBy !== userId) {
      await this.get(userId, id); // 404 when it is not theirs at all
      throw new IdentityError(Code.RoleNotAllowed, 'Only the organization creator may change it');
    }
    if (input.name && input.name.toLowerCase() !== org.name.toLowerCase()) {
      await this.aggregates.organizationNames.claim(input.name.toLowerCase(), id, meta);
      await this.aggregates.organizationNames.release(org.name.toLowerCase(), id, meta);
    }
    await this.aggregates.organization.handle(id, { kind: 'update', changes: { ...input, domain: input.domain?.toLowerCase() }, now: meta.now }, meta, { fingerprint: input });
    return this.queries.organization(id);
  }
}

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
