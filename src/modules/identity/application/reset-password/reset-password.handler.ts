import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Mailer } from '@libs/common/mail/mailer';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { hashPassword, sha256 } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { assertStrongPassword } from '@modules/identity/infrastructure/password-policy';
import { LogOutHandler } from '@modules/identity/application/log-out/log-out.handler';

const invalid = () => new IdentityError(Code.PasswordResetInvalid, 'The reset link is not valid or has expired: ask for a new one');

/**
 * Password reset by mail. The request always answers the same (no enumeration); the token
 * (`<userId>.<secret>`, only its hash stored) works once, before it expires; a reset revokes
 * every session and lifts a lockout.
 */
@Injectable()
export class ResetPasswordHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly mailer: Mailer,
    private readonly logOut: LogOutHandler,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  async request(email: string, meta: CommandMetadata): Promise<void> {
    const user = await this.queries.userByEmail(email);
    if (!user || !user.is_active) return;
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(meta.now.getTime() + this.options.passwordResetTtlMinutes * 60_000);
    await this.aggregates.user.handle(user.id, { kind: 'request-password-reset', tokenHash: sha256(secret), expiresAt, now: meta.now }, { ...meta, idempotencyKey: undefined, actorId: user.id });
    await this.mailer.send({
      to: user.email,
      tag: 'password-reset',
      subject: 'Reset your password',
      text: `Someone (hopefully you) asked to reset your password. Use this token within ${this.options.passwordResetTtlMinutes} minutes (POST /api/v1/auth/password-reset/confirm): ${user.id}.${secret}\nIf it was not you, ignore this mail.`,
    });
  }

  async confirm(token: string, newPassword: string, meta: CommandMetadata): Promise<void> {
    const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) throw invalid();
    const user = await this.queries.userById(m[1]);
    if (!user) throw invalid();
    assertStrongPassword(newPassword, user.email);
    const passwordHash = await hashPassword(newPassword);
    await this.aggregates.user.handle(user.id, { kind: 'reset-password', tokenHash: sha256(m[2]), passwordHash, now: meta.now }, { ...meta, idempotencyKey: undefined, actorId: user.id });
    await this.logOut.all(user.id, 'password-changed', meta);
  }
}
