import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Mailer } from '@libs/common/mail/mailer';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { hashPassword, newPin } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { assertStrongPassword } from '@modules/identity/infrastructure/password-policy';
import { ClientInfo, SessionIssuer, TokenPair } from '@modules/identity/application/shared/session-issuer';
import { userResponse } from '@modules/identity/application/shared/user.response';
import { SignUpRequestDto } from './sign-up.request.dto';

export type SignUpResult =
  | { kind: 'signed-up'; tokens: TokenPair; user: ReturnType<typeof userResponse> }
  | { kind: 'verification-required'; signupRequestId: string };

/**
 * Sign-up. By default the account exists at once (email unverified until the PIN comes back);
 * with REQUIRE_EMAIL_VERIFICATION the answer is always 202 and the account is made when the PIN
 * is verified, so the answer never tells whether an email already has an account.
 */
@Injectable()
export class SignUpHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly sessions: SessionIssuer,
    private readonly mailer: Mailer,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  async execute(input: SignUpRequestDto, client: ClientInfo, meta: CommandMetadata): Promise<SignUpResult> {
    assertStrongPassword(input.password, input.email);
    const passwordHash = await hashPassword(input.password);
    const userId = uuidv7();
    if (this.options.requireEmailVerification) {
      const existing = await this.queries.userByEmail(input.email);
      if (existing) {
        await this.mailer.send({ to: input.email, tag: 'signup-existing-account', subject: 'You already have an account', text: 'Someone (hopefully you) tried to sign up with this email. You already have an account: sign in, or reset your password.' });
        // Same shape as a real request: nothing to learn from the answer.
        return { kind: 'verification-required', signupRequestId: uuidv7() };
      }
      const signupRequestId = await this.requestPin(userId, input, passwordHash, meta);
      return { kind: 'verification-required', signupRequestId };
    }
    await this.register({ userId, email: input.email, firstName: input.firstName, lastName: input.lastName, passwordHash, organizationName: input.organizationName ?? null, emailVerified: false, superuser: false }, meta);
    await this.requestPin(userId, input, null, meta);
    const { tokens } = await this.sessions.start(userId, false, client, meta);
    const user = await this.queries.userById(userId);
    return { kind: 'signed-up', tokens, user: userResponse(user!) };
  }

  /** Claims the email (and organization name), then records the user and organization. Shared with verify-email and the bootstrap admin. */
  async register(
    r: { userId: string; email: string; firstName: string; lastName: string; passwordHash: string; organizationName: string | null; emailVerified: boolean; superuser: boolean },
    meta: CommandMetadata,
  ): Promise<void> {
    const m = { ...meta, idempotencyKey: undefined, expectedVersion: undefined };
    const email = r.email.trim().toLowerCase();
    await this.aggregates.emails.claim(email, r.userId, m);
    let organizationId: string | null = null;
    try {
      if (r.organizationName) {
        organizationId = uuidv7();
        await this.aggregates.organizationNames.claim(r.organizationName.toLowerCase(), organizationId, m);
      }
    } catch (err) {
      await this.aggregates.emails.release(email, r.userId, m);
      throw err;
    }
    await this.aggregates.user.handle(r.userId, {
      kind: 'register',
      userId: r.userId,
      email: r.email.trim(),
      firstName: r.firstName,
      lastName: r.lastName,
      passwordHash: r.passwordHash,
      organizationId,
      superuser: r.superuser,
      emailVerified: r.emailVerified,
      now: meta.now,
    }, m);
    if (organizationId && r.organizationName) {
      const domain = email.split('@')[1] ?? null;
      await this.aggregates.organization.handle(organizationId, {
        kind: 'create',
        organizationId,
        createdBy: r.userId,
        profile: { name: r.organizationName, size: null, domain, industry: null, description: null, website: null, subscriptionPlan: 'free' },
        now: meta.now,
      }, { ...m, actorId: r.userId });
    }
  }

  private async requestPin(userId: string, input: SignUpRequestDto, passwordHash: string | null, meta: CommandMetadata): Promise<string> {
    const signupRequestId = uuidv7();
    const pin = newPin();
    await this.aggregates.signupRequest.handle(signupRequestId, {
      kind: 'request',
      signupRequestId,
      userId,
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
      passwordHash,
      organizationName: input.organizationName ?? null,
      pinHash: pin.hash,
      pinSalt: pin.salt,
      expiresAt: new Date(meta.now.getTime() + this.options.pinTtlMinutes * 60_000),
      now: meta.now,
    }, { ...meta, idempotencyKey: undefined });
    await this.mailer.send({
      to: input.email,
      tag: 'signup-pin',
      subject: 'Your verification code',
      text: `Your verification code is ${pin.pin}. It expires in ${this.options.pinTtlMinutes} minutes.`,
    });
    return signupRequestId;
  }
}
