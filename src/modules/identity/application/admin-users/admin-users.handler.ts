import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { LogOutHandler } from '@modules/identity/application/log-out/log-out.handler';
import { userResponse } from '@modules/identity/application/shared/user.response';
import { UpdateUserStatusDto } from './admin-users.request.dto';

/** A superuser's changes to an account; deactivating one ends all its sessions. */
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
