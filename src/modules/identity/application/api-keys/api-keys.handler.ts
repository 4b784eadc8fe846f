import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { actorIdOf, Principal } from '@libs/common/auth/principal';
import { roleAtLeast, WorkspaceRole } from '@libs/common/auth/workspace-role';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { newApiKey } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { CreateApiKeyRequestDto } from './api-keys.request.dto';

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
