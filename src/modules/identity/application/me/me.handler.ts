import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { NotFoundError, ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { ProfileChanges } from '@modules/identity/domain/user/user.events';
import { hashPassword, verifyPassword } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { assertStrongPassword } from '@modules/identity/infrastructure/password-policy';
import { LogOutHandler } from '@modules/identity/application/log-out/log-out.handler';
import { userResponse } from '@modules/identity/application/shared/user.response';

/** The signed-in user's own account: profile, password, sessions, active workspace. */
@Injectable()
export class MeHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly logOut: LogOutHandler,
  ) {}

  async get(userId: string) {
    const user = await this.queries.userById(userId);
    if (!user) throw new NotFoundError('No such user');
    const [organizations, workspaces] = await Promise.all([this.queries.organizationsOf(userId, user.organization_id), this.queries.workspacesOf(userId)]);
    return { ...userResponse(user), organizations, workspaces };
  }

  async updateProfile(userId: string, changes: ProfileChanges, meta: CommandMetadata) {
    await this.aggregates.user.handle(userId, { kind: 'update-profile', changes, now: meta.now }, meta, { fingerprint: changes });
    return this.get(userId);
  }

  async changePassword(userId: string, sessionId: string | null, current: string, next: string, meta: CommandMetadata): Promise<void> {
    const user = await this.queries.userById(userId);
    if (!user || !(await verifyPassword(user.password_hash, current))) throw new IdentityError(Code.WrongPassword, 'The current password is not right');
    assertStrongPassword(next, user.email);
    await this.aggregates.user.handle(userId, { kind: 'change-password', passwordHash: await hashPassword(next), now: meta.now }, { ...meta, idempotencyKey: undefined });
    // Whoever else holds a session of this account loses it.
    await this.logOut.all(userId, 'password-changed', meta, sessionId);
  }

  sessions(userId: string) {
    return this.queries.sessionsOf(userId);
  }

  async revokeSession(userId: string, sessionId: string, meta: CommandMetadata): Promise<void> {
    if (!isUUID(sessionId) || (await this.queries.sessionOwner(sessionId)) !== userId) throw new IdentityError(Code.SessionNotFound, 'No such session');
    await this.logOut.one(sessionId, meta);
  }

  async selectWorkspace(userId: string, sessionId: string | null, workspaceId: string, meta: CommandMetadata) {
    if (!isUUID(workspaceId)) throw new ValidationFailedError('workspaceId is not valid', [{ field: 'workspaceId', message: 'must be a UUID' }]);
    if (!sessionId) throw new IdentityError(Code.SessionNotFound, 'No session');
    if (!(await this.queries.roleIn(workspaceId, userId))) throw new IdentityError(Code.WorkspaceNotFound, 'No such workspace');
    await this.aggregates.session.handle(sessionId, { kind: 'select-workspace', workspaceId, now: meta.now }, { ...meta, idempotencyKey: undefined });
    return { sessionId, activeWorkspaceId: workspaceId };
  }
}
