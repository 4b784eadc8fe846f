import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { IdentityError, IdentityErrorCode } from '@modules/identity/domain/identity.errors';
import { hashPassword } from '@modules/identity/infrastructure/credentials.crypto';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { assertStrongPassword } from '@modules/identity/infrastructure/password-policy';
import { SignUpHandler } from '@modules/identity/application/sign-up/sign-up.handler';

/**
 * BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD: the first superuser, created at start-up
 * when it does not exist. Several processes starting together are safe: the email claim lets
 * one win and the others find it taken.
 */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger('BootstrapAdmin');

  constructor(
    private readonly signUp: SignUpHandler,
    private readonly queries: IdentityQueries,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.options.bootstrapAdmin;
    if (!admin || (await this.queries.userByEmail(admin.email))) return;
    assertStrongPassword(admin.password, admin.email);
    const userId = uuidv7();
    try {
      await this.signUp.register(
        { userId, email: admin.email, firstName: 'Admin', lastName: '', passwordHash: await hashPassword(admin.password), organizationName: null, emailVerified: true, superuser: true },
        { commandId: uuidv7(), workspaceId: null, actorId: 'system:bootstrap', correlationId: uuidv7(), now: new Date() },
      );
      this.logger.log({ userId }, 'bootstrap superuser created');
    } catch (err) {
      if (err instanceof IdentityError && err.code === IdentityErrorCode.EmailTaken) return;
      throw err;
    }
  }
}
