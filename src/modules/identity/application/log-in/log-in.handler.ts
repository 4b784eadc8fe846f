import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { verifyPassword } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { ClientInfo, SessionIssuer, TokenPair } from '@modules/identity/application/shared/session-issuer';
import { userResponse } from '@modules/identity/application/shared/user.response';
import { LogInRequestDto } from './log-in.request.dto';

const refused = () => new IdentityError(Code.InvalidCredentials, 'Invalid email or password, or the account is temporarily locked');

/**
 * Retries of a login's appends on a concurrency conflict: a burst of parallel logins on one
 * account all append to its stream; a conflict is retried, never answered (a 409 would tell that
 * the account exists). Past the budget nothing more is appended, so the burst drains quickly.
 */
const CONTENDED_RETRIES = 100;

/**
 * Login. Unknown email, wrong password, locked or inactive account, a lost race: the same 401
 * after one password hash check each (a dummy hash when the real one is not checked), so the
 * answer never tells whether an email has an account.
 *
 * The lockout is the user aggregate's: an attempt is admitted by an append to the user's stream
 * BEFORE its password is checked, and only while wrong guesses made plus guesses in flight stay
 * under LOGIN_MAX_FAILURES. So however many requests race, at most that many guesses are ever
 * checked per lock window (a read model checked before the hash, as before, let 16 of 30 through).
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
    if (!user) return this.refuseAfterDummyCheck(input.password);
    const m = { ...meta, idempotencyKey: undefined, expectedVersion: undefined, actorId: user.id };
    const attemptId = uuidv7();
    const budget = { maxFailures: this.options.loginMaxFailures, lockMinutes: this.options.loginLockMinutes };
    try {
      await this.aggregates.user.handle(user.id, { kind: 'admit-login', attemptId, now: meta.now, ...budget }, m, { retries: CONTENDED_RETRIES });
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return this.refuseAfterDummyCheck(input.password);
    }
    if (!(await verifyPassword(user.password_hash, input.password))) {
      // Not recorded (a conflict past every retry): the attempt keeps its slot until it expires, the safe side.
      await this.aggregates.user.handle(user.id, { kind: 'record-failed-login', attemptId, now: meta.now, ...budget }, m, { retries: CONTENDED_RETRIES }).catch(swallowRefusal);
      throw refused();
    }
    const sessionId = uuidv7();
    try {
      // Recorded before the session exists: the aggregate may still refuse (deactivated or locked meanwhile).
      await this.aggregates.user.handle(user.id, { kind: 'record-login', attemptId, sessionId, now: meta.now }, m, { retries: CONTENDED_RETRIES });
    } catch (err) {
      if (isRefusal(err)) throw refused();
      throw err;
    }
    const { tokens } = await this.sessions.start(user.id, user.is_superuser, client, m, sessionId);
    const fresh = await this.queries.userById(user.id);
    return { tokens, user: userResponse(fresh!) };
  }

  /** The same work as a real check (one argon2id verification), then the same refusal. */
  private async refuseAfterDummyCheck(password: string): Promise<never> {
    await verifyPassword(null, password);
    throw refused();
  }
}

/** What the aggregate's refusals and lost races look like: every one of them becomes the same 401. */
const isRefusal = (err: unknown) => err instanceof ConcurrencyError || err instanceof IdentityError;

function swallowRefusal(err: unknown): void {
  if (!isRefusal(err)) throw err;
}
