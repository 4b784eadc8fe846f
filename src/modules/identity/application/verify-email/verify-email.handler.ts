import { Inject, Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { lookupHash, pinHash } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { SignUpHandler } from '@modules/identity/application/sign-up/sign-up.handler';
import { ClientInfo, SessionIssuer, TokenPair } from '@modules/identity/application/shared/session-issuer';
import { userResponse } from '@modules/identity/application/shared/user.response';
import { VerifyEmailRequestDto } from './verify-email.request.dto';

export type VerifyEmailResult = { kind: 'verified'; userId: string } | { kind: 'signed-up'; tokens: TokenPair; user: ReturnType<typeof userResponse> };

/** Checks the PIN of the latest sign-up request of an email (attempt limit, expiry, single use). */
@Injectable()
export class VerifyEmailHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly signUp: SignUpHandler,
    private readonly sessions: SessionIssuer,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  async execute(input: VerifyEmailRequestDto, client: ClientInfo, meta: CommandMetadata): Promise<VerifyEmailResult> {
    const request = await this.queries.latestSignupRequest(lookupHash(this.options.lookupKey, input.email));
    if (!request) throw new IdentityError(Code.PinInvalid, 'The PIN is not valid');
    const m = { ...meta, idempotencyKey: undefined, expectedVersion: undefined };
    const out = await this.aggregates.signupRequest.handle(request.id, { kind: 'verify', presentedHash: pinHash(request.pin_salt, input.pin), maxAttempts: this.options.pinMaxAttempts, now: meta.now }, m);
    const state = out.result.state;
    if (state.status !== 'verified') {
      const left = state.status === 'none' ? 0 : Math.max(0, this.options.pinMaxAttempts - state.attempts);
      throw new IdentityError(Code.PinInvalid, 'The PIN is not valid', { attemptsLeft: left });
    }
    if (!this.options.requireEmailVerification) {
      await this.aggregates.user.handle(state.userId, { kind: 'verify-email', now: meta.now }, m);
      return { kind: 'verified', userId: state.userId };
    }
    const r = state.registration;
    if (!r.passwordHash) throw new IdentityError(Code.PinInvalid, 'The PIN is not valid');
    await this.signUp.register({ userId: state.userId, email: r.email, firstName: r.firstName, lastName: r.lastName, passwordHash: r.passwordHash, organizationName: r.organizationName, emailVerified: true, superuser: false }, m);
    const { tokens } = await this.sessions.start(state.userId, false, client, m);
    const user = await this.queries.userById(state.userId);
    return { kind: 'signed-up', tokens, user: userResponse(user!) };
  }
}
