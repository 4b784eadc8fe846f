import { Body, Controller, Delete, Get, HttpCode, Injectable, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsIsoDate } from '@libs/common/http/iso-date';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { actorIdOf, Principal } from '@libs/common/auth/principal';
import { RequireWorkspaceRole, workspaceRoleOf } from '@libs/common/auth/workspace-member.guard';
import { roleAtLeast, WorkspaceRole } from '@libs/common/auth/workspace-role';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { newApiKey } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { CurrentPrincipal } from '@modules/identity/application/shared/current-user.decorator';

const KEY_ROLES = ['admin', 'member', 'viewer'] as const;

export class CreateApiKeyRequestDto {
  @ApiProperty() @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: KEY_ROLES }) @IsIn(KEY_ROLES as unknown as string[]) role!: Exclude<WorkspaceRole, 'owner'>;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsIsoDate() expiresAt?: string;
}

/** API keys for machine clients: shown once, stored hashed, scoped to the workspace and a role. */
@Injectable()
export class ApiKeysHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
  ) {}

  async create(workspaceId: string, actor: Principal, actorRole: WorkspaceRole, input: CreateApiKeyRequestDto, meta: CommandMetadata) {
    // Nobody mints a key stronger than themselves.
    if (!roleAtLeast(actorRole, input.role)) throw new IdentityError(Code.RoleNotAllowed, `A ${actorRole} cannot create a ${input.role} key`);
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= meta.now.getTime()) {
      throw new ValidationFailedError('expiresAt is in the past', [{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const apiKeyId = uuidv7();
    const key = newApiKey();
    await this.aggregates.apiKey.handle(apiKeyId, {
      kind: 'create', apiKeyId, workspaceId, name: input.name, role: input.role, prefix: key.prefix, keyHash: key.hash, createdBy: actorIdOf(actor), expiresAt, now: meta.now,
    }, { ...meta, idempotencyKey: undefined });
    return { id: apiKeyId, name: input.name, role: input.role, prefix: key.prefix, key: key.key, expiresAt: expiresAt?.toISOString() ?? null };
  }

  async revoke(workspaceId: string, actor: Principal, apiKeyId: string, meta: CommandMetadata): Promise<void> {
    if (!isUUID(apiKeyId)) throw new IdentityError(Code.ApiKeyNotFound, 'No such API key');
    await this.aggregates.apiKey.handle(apiKeyId, { kind: 'revoke', workspaceId, revokedBy: actorIdOf(actor), now: meta.now }, meta);
  }

  list(workspaceId: string) {
    return this.queries.apiKeys(workspaceId);
  }
}

@ApiTags('workspaces')
@WorkspaceScoped('admin')
@Controller('api/v1/workspaces/:workspaceId/api-keys')
export class ApiKeysHttpController {
  constructor(private readonly keys: ApiKeysHandler) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key (admin). The key is in this answer only; use it as X-API-Key.' })
  @ApiCreatedResponse({ description: '{ id, name, role, prefix, key, expiresAt }' })
  create(@Param('workspaceId') ws: string, @Body() body: CreateApiKeyRequestDto, @CurrentPrincipal() actor: Principal, @Req() req: Request, @CommandMeta() meta: CommandMetadata) {
    return this.keys.create(ws, actor, workspaceRoleOf(req), body, meta);
  }

  @Get()
  async list(@Param('workspaceId') ws: string) {
    return { items: await this.keys.list(ws) };
  }

  @Delete(':apiKeyId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  async revoke(@Param('workspaceId') ws: string, @Param('apiKeyId') id: string, @CurrentPrincipal() actor: Principal, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.keys.revoke(ws, actor, id, meta);
  }
}
