import { Inject, Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { verifyPassword } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { ClientInfo, SessionIssuer, TokenPair } from '../shared/session-issuer';
import { userResponse } from '../shared/user.response';
import { LogInRequestDto } from './log-in.request.dto';

const refused = () => new IdentityError(Code.InvalidCredentials, 'Invalid email or password, or the account is temporarily locked');

/**
 * Login. Unknown email, wrong password, locked or inactive account: the same 401 after the same
 * amount of hashing work, so the answer never tells whether an email has an account. Repeated
 * failures lock the account for a while (recorded as events on the user).
 */
@Injectable()
export class LogInHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly sessions: SessionIssuer,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  async execute(input: LogInRequestDto, client: ClientInfo, meta: CommandMetadata): Promise<{ tokens: TokenPair; user: ReturnType<typeof userResponse> }> {
    const user = await this.queries.userByEmail(input.email);
    const ok = await verifyPassword(user?.password_hash ?? null, input.password);
    if (!user || !user.is_active) throw refused();
    const m = { ...meta, idempotencyKey: undefined, expectedVersion: undefined, actorId: user.id };
    const locked = user.locked_until !== null && new Date(user.locked_until).getTime() > meta.now.getTime();
    if (locked) throw refused();
    if (!ok) {
      await this.aggregates.user(user.id, { kind: 'record-failed-login', now: meta.now, maxFailures: this.options.loginMaxFailures, lockMinutes: this.options.loginLockMinutes }, m);
      throw refused();
    }
    const { sessionId, tokens } = await this.sessions.start(user.id, user.is_superuser, client, m);
    await this.aggregates.user(user.id, { kind: 'record-login', sessionId, now: meta.now }, m);
    const fresh = await this.queries.userById(user.id);
    return { tokens, user: userResponse(fresh!) };
  }
}
