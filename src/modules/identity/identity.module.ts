import { DynamicModule, Global, Injectable, MiddlewareConsumer, Module, NestModule, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { Pool } from 'pg';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { Mailer } from '@libs/common/mail/mailer';
import { OutboxMailer } from '@libs/common/mail/outbox.mailer';
import { SmtpMailer } from '@libs/common/mail/smtp.mailer';
import { PG_POOL } from '@libs/database/database-backend';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { AdminUsersHandler } from './application/admin-users/admin-users.handler';
import { AdminUsersHttpController } from './application/admin-users/admin-users.http.controller';
import { ApiKeysHandler } from './application/api-keys/api-keys.handler';
import { ApiKeysHttpController } from './application/api-keys/api-keys.http.controller';
import { AppSettingsHandler } from './application/app-settings/app-settings.handler';
import { AppSettingsHttpController } from './application/app-settings/app-settings.http.controller';
import { BootstrapAdmin } from './application/bootstrap-admin/bootstrap-admin';
import { AuthHttpController } from './application/log-in/auth.http.controller';
import { LogInHandler } from './application/log-in/log-in.handler';
import { LogOutHandler } from './application/log-out/log-out.handler';
import { ResetPasswordHandler } from './application/reset-password/reset-password.handler';
import { MeHandler } from './application/me/me.handler';
import { MeHttpController } from './application/me/me.http.controller';
import { InvitationsHttpController } from './application/members/invitations.http.controller';
import { MembersHttpController } from './application/members/members.http.controller';
import { MembersHandler } from './application/members/members.handler';
import { OAuthAccountsHandler } from './application/oauth-accounts/oauth-accounts.handler';
import { OAuthAccountsHttpController } from './application/oauth-accounts/oauth-accounts.http.controller';
import { OrganizationsHandler } from './application/organizations/organizations.handler';
import { OrganizationsHttpController } from './application/organizations/organizations.http.controller';
import { RefreshSessionHandler } from './application/refresh-session/refresh-session.handler';
import { SessionIssuer } from './application/shared/session-issuer';
import { SignUpHandler } from './application/sign-up/sign-up.handler';
import { TelegramProfileHandler } from './application/telegram-profile/telegram-profile.handler';
import { TelegramProfileHttpController } from './application/telegram-profile/telegram-profile.http.controller';
import { VerifyEmailHandler } from './application/verify-email/verify-email.handler';
import { WorkspacesHandler } from './application/workspaces/workspaces.handler';
import { WorkspacesHttpController } from './application/workspaces/workspaces.http.controller';
import { identityErrorStatuses } from './infrastructure/identity.errors.http';
import { AccessTokens } from './infrastructure/access-tokens';
import { AuthenticationMiddleware } from './infrastructure/authentication.middleware';
import { lookupHash } from './infrastructure/credentials.crypto';
import { IdentityAggregates } from './infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions, IdentitySettings } from './infrastructure/identity.options';
import { EmailLookupKey, PlatformSecrets } from './infrastructure/platform-secrets';
import { IdentityQueries } from './infrastructure/identity.queries';
import { JwtStrategy } from './infrastructure/jwt.strategy';
import { OAuthTokenVault } from './infrastructure/oauth-token-vault';
import { OAuthProviders } from './infrastructure/oauth-providers';
import { RefreshingOAuthAccessTokens } from './infrastructure/refreshing-oauth-access-tokens';
import { OAuthConnectHandler } from './application/oauth-connect/oauth-connect.handler';
import { OAuthConnectHttpController } from './application/oauth-connect/oauth-connect.http.controller';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { OUTBOUND_RESOLVER, OutboundGuard, ResolveAll } from '@libs/common/net/outbound-guard';
import { LeaseManager } from '@libs/database/coordination/coordination.port';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { identityProjections } from './projections/identity.projections';
import { identityAuditVisibility } from './domain/identity.audit-visibility';
import { identityPersonalData } from './domain/identity.personal-data';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { eraseWhatIdentityTiesToTheUser } from './infrastructure/identity-erasure';
import { WorkspaceMembers } from './contracts/workspace-members';
import { OAuthAccessTokens } from './contracts/oauth-access-tokens';
import { WorkspaceMembersDirectory } from './infrastructure/workspace-members.directory';

/** Identity's WorkspaceAccessPolicy, for the app root to bind in the global AuthModule (wiring, like the modules here). */
export { MembershipWorkspaceAccessPolicy } from './infrastructure/membership-workspace-access.policy';

registerErrorStatuses(identityErrorStatuses);

export interface IdentityModuleOptions extends IdentitySettings {
  smtp?: { url: string; from: string };
  /** Requests per minute per client address on /api/v1/auth. */
  authRateLimitPerMinute: number;
}


/** Registers identity's read models and marks its personal fields (crypto-shredded per data subject). */
@Injectable()
class IdentityProjectionsRegistrar implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly eventTypes: EventTypeRegistry,
    private readonly subjects: DataSubjects,
    private readonly lookupKey: EmailLookupKey,
  ) {}

  onModuleInit(): void {
    this.registry.register(...identityProjections((email) => lookupHash(this.lookupKey.get(), email)));
    for (const [type, spec] of Object.entries(identityPersonalData)) this.eventTypes.personalData(type, spec);
    for (const [type, spec] of Object.entries(identityAuditVisibility)) this.eventTypes.auditVisibility(type, spec);
    this.subjects.onErasure(eraseWhatIdentityTiesToTheUser, { first: true });
  }

  /** The CLI starts before `migrate` may have created the table: the key loads when it can. */
  async onApplicationBootstrap(): Promise<void> {
    await this.lookupKey.load().catch((err: Error & { code?: string }) => {
      if (err.code !== '42P01') throw err;
    });
  }
}

/** Identity projections only: imported by the app and by the CLI (rebuilds). Needs the global CryptoModule. */
@Module({
  providers: [
    {
      provide: PlatformSecrets,
      inject: [PG_POOL, SecretBox, EncryptedColumns],
      useFactory: (pool: Pool, box: SecretBox, columns: EncryptedColumns) => new PlatformSecrets(pool, box, columns),
    },
    { provide: EmailLookupKey, inject: [PlatformSecrets], useFactory: (s: PlatformSecrets) => new EmailLookupKey(s) },
    // Registers the OAuth token columns with EncryptedColumns, for the app and for `secrets rotate`.
    {
      provide: OAuthTokenVault,
      inject: [PG_POOL, SecretBox, EncryptedColumns],
      useFactory: (pool: Pool, box: SecretBox, columns: EncryptedColumns) => new OAuthTokenVault(pool, box, columns),
    },
    IdentityProjectionsRegistrar,
  ],
  exports: [PlatformSecrets, EmailLookupKey, OAuthTokenVault],
})
export class IdentityProjectionsModule {}

/** The identity contracts other modules inject (contracts/), bound to their implementations; global, like the auth seam. */
@Global()
@Module({
  imports: [IdentityProjectionsModule],
  providers: [
    { provide: WorkspaceMembers, useClass: WorkspaceMembersDirectory },
    // Google, Microsoft and Slack OAuth clients, through an outbound guard of their own (CONNECTOR_ALLOWED_HOSTS).
    {
      provide: OAuthProviders,
      inject: [APP_CONFIG, { token: OUTBOUND_RESOLVER, optional: true }],
      useFactory: (config: AppConfig, resolve?: ResolveAll) => new OAuthProviders(config, new OutboundGuard({ allowList: config.CONNECTOR_ALLOWED_HOSTS, resolve })),
    },
    // Refreshes at the provider when the token expires within a minute or was refused (one refresh per account at a time, across processes).
    {
      provide: OAuthAccessTokens,
      inject: [OAuthTokenVault, OAuthProviders, EventSourcedCommandHandler, LeaseManager],
      useFactory: (vault: OAuthTokenVault, providers: OAuthProviders, handler: EventSourcedCommandHandler, leases: LeaseManager) =>
        new RefreshingOAuthAccessTokens(vault, providers, new IdentityAggregates(handler), leases),
    },
  ],
  exports: [WorkspaceMembers, OAuthAccessTokens, OAuthProviders],
})
export class IdentityContractsModule {}

/**
 * Identity and tenancy: organizations, users, workspaces and roles, sign-up with PIN, JWT with
 * refresh rotation, API keys, linked Telegram and OAuth accounts, platform settings. Authenticates every request (middleware) for every module's guards.
 */
@Module({})
export class IdentityModule implements NestModule {
  static forRoot(options: IdentityModuleOptions): DynamicModule {
    return {
      module: IdentityModule,
      imports: [
        IdentityProjectionsModule,
        IdentityContractsModule,
        PassportModule,
        JwtModule.register({}),
        ThrottlerModule.forRoot({ throttlers: [{ name: 'auth', ttl: 60_000, limit: options.authRateLimitPerMinute }], errorMessage: 'Too many requests: slow down and retry in a minute' }),
      ],
      controllers: [
        AuthHttpController,
        MeHttpController,
        WorkspacesHttpController,
        MembersHttpController,
        InvitationsHttpController,
        ApiKeysHttpController,
        OrganizationsHttpController,
        AdminUsersHttpController,
        TelegramProfileHttpController,
        OAuthAccountsHttpController,
        OAuthConnectHttpController,
        AppSettingsHttpController,
      ],
      providers: [
        {
          provide: IDENTITY_OPTIONS,
          inject: [PlatformSecrets, EmailLookupKey],
          useFactory: async (secrets: PlatformSecrets, key: EmailLookupKey): Promise<IdentityOptions> => ({
            ...options,
            jwtSecret: options.jwtSecret ?? (await secrets.getOrCreate('jwt-signing')),
            lookupKey: await key.load(),
          }),
        },
        {
          provide: Mailer,
          inject: [PG_POOL],
          useFactory: (pool: Pool) => (options.smtp ? new SmtpMailer(options.smtp.url, options.smtp.from) : new OutboxMailer(pool)),
        },
        IdentityQueries,
        IdentityAggregates,
        AccessTokens,
        JwtStrategy,
        AuthenticationMiddleware,
        SessionIssuer,
        SignUpHandler,
        VerifyEmailHandler,
        LogInHandler,
        RefreshSessionHandler,
        LogOutHandler,
        ResetPasswordHandler,
        MeHandler,
        WorkspacesHandler,
        MembersHandler,
        ApiKeysHandler,
        OrganizationsHandler,
        AdminUsersHandler,
        TelegramProfileHandler,
        OAuthAccountsHandler,
        OAuthConnectHandler,
        AppSettingsHandler,
        BootstrapAdmin,
      ],
      exports: [IdentityQueries, Mailer],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthenticationMiddleware).forRoutes('*');
  }
}
