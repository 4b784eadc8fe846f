import { Injectable } from '@nestjs/common';
import { defineAggregate } from '@libs/eventsourcing/aggregate/define-aggregate';
import { Decider, DomainEvent } from '@libs/eventsourcing/decider';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { defineUniqueClaim } from '@libs/eventsourcing/uniqueness/define-unique-claim';
import { apiKeyDecider } from '@modules/identity/domain/api-key/api-key.decider';
import { appSettingDecider } from '@modules/identity/domain/app-setting/app-setting.decider';
import { IdentityError, IdentityErrorCode } from '@modules/identity/domain/identity.errors';
import { oauthAccountDecider } from '@modules/identity/domain/oauth-account/oauth-account.decider';
import { organizationDecider } from '@modules/identity/domain/organization/organization.decider';
import { sessionDecider } from '@modules/identity/domain/session/session.decider';
import { signupRequestDecider } from '@modules/identity/domain/signup-request/signup-request.decider';
import { telegramProfileDecider } from '@modules/identity/domain/telegram-profile/telegram-profile.decider';
import { userDecider } from '@modules/identity/domain/user/user.decider';
import { workspaceDecider } from '@modules/identity/domain/workspace/workspace.decider';

/** Identity's aggregates answer their state and version (an idempotent retry reads the same back); streams are `<streamType>-<id>`. */
const identityAggregate = <C, S, E extends DomainEvent>(decider: Decider<C, S, E>, streamType: string) =>
  defineAggregate(decider, { streamType, result: ({ state, version }) => ({ state, version }) });

/** A unique value of identity (email, slug, ...): another owner's claim refuses with `code`. */
const identityClaim = (scope: string, code: IdentityErrorCode) => defineUniqueClaim(scope, { taken: () => new IdentityError(code, `This ${scope} is already taken`) });

export const userAggregate = identityAggregate(userDecider, 'user');
export const workspaceAggregate = identityAggregate(workspaceDecider, 'workspace');
export const organizationAggregate = identityAggregate(organizationDecider, 'organization');
export const sessionAggregate = identityAggregate(sessionDecider, 'session');
export const apiKeyAggregate = identityAggregate(apiKeyDecider, 'api-key');
export const signupRequestAggregate = identityAggregate(signupRequestDecider, 'signup-request');
/** Stream per user (1:1). Its state holds the Telegram names: callers pass no Idempotency-Key (the stored answer would keep them in clear). */
export const telegramProfileAggregate = identityAggregate(telegramProfileDecider, 'telegram-profile');
export const oauthAccountAggregate = identityAggregate(oauthAccountDecider, 'oauth-account');
/** Keyed by the setting's key. */
export const appSettingAggregate = identityAggregate(appSettingDecider, 'app-setting');

/** The identity aggregates and unique values, bound to the command handler; the handlers only decide. */
@Injectable()
export class IdentityAggregates {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  /** Logins race on one user stream by design: their callers pass more `retries`. */
  readonly user = userAggregate.bind(this.handler);
  readonly workspace = workspaceAggregate.bind(this.handler);
  readonly organization = organizationAggregate.bind(this.handler);
  readonly session = sessionAggregate.bind(this.handler);
  readonly apiKey = apiKeyAggregate.bind(this.handler);
  readonly signupRequest = signupRequestAggregate.bind(this.handler);
  readonly telegramProfile = telegramProfileAggregate.bind(this.handler);
  readonly oauthAccount = oauthAccountAggregate.bind(this.handler);
  readonly appSetting = appSettingAggregate.bind(this.handler);

  /** Lower-cased by the caller. */
  readonly emails = identityClaim('email', IdentityErrorCode.EmailTaken).bind(this.handler);
  /** Lower-cased by the caller. */
  readonly organizationNames = identityClaim('organization-name', IdentityErrorCode.OrganizationNameTaken).bind(this.handler);
  readonly workspaceSlugs = identityClaim('workspace-slug', IdentityErrorCode.SlugTaken).bind(this.handler);
  /** A Telegram account links one user: its numeric id as a string. */
  readonly telegramUsers = identityClaim('telegram-user', IdentityErrorCode.TelegramProfileTaken).bind(this.handler);
  /** A provider account links one user: `<provider>:<providerAccountId>`. */
  readonly oauthProviderAccounts = identityClaim('oauth-account', IdentityErrorCode.OAuthAccountTaken).bind(this.handler);
}
