import { Injectable } from '@nestjs/common';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { Decider, DomainEvent } from '@libs/eventsourcing/decider';
import { EventSourcedCommandHandler, HandledCommand } from '@libs/eventsourcing/event-sourced-command.handler';
import { UniqueValueTakenError, uniqueClaimDecider, uniqueClaimStreamId } from '@libs/eventsourcing/uniqueness/unique-claim.decider';
import { apiKeyDecider, ApiKeyCommand, ApiKeyState } from '../domain/api-key/api-key.decider';
import { appSettingDecider, AppSettingCommand, AppSettingState } from '../domain/app-setting/app-setting.decider';
import { IdentityError, IdentityErrorCode } from '../domain/identity.errors';
import { oauthAccountDecider, OAuthAccountCommand, OAuthAccountState } from '../domain/oauth-account/oauth-account.decider';
import { organizationDecider, OrganizationCommand, OrganizationState } from '../domain/organization/organization.decider';
import { sessionDecider, SessionCommand, SessionState } from '../domain/session/session.decider';
import { signupRequestDecider, SignupRequestCommand, SignupRequestState } from '../domain/signup-request/signup-request.decider';
import { telegramProfileDecider, TelegramProfileCommand, TelegramProfileState } from '../domain/telegram-profile/telegram-profile.decider';
import { userDecider, UserCommand, UserState } from '../domain/user/user.decider';
import { workspaceDecider, WorkspaceCommand, WorkspaceState } from '../domain/workspace/workspace.decider';

export type Handled<S> = HandledCommand<{ state: S; version: number }>;

/** One place that knows each identity aggregate's stream naming; the handlers only decide. */
@Injectable()
export class IdentityAggregates {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  private run<C, S, E extends DomainEvent>(decider: Decider<C, S, E>, streamType: string, id: string, command: C, metadata: CommandMetadata, fingerprint?: unknown, retries?: number): Promise<Handled<S>> {
    return this.handler.handle(decider, command, {
      streamId: `${streamType}-${id}`,
      streamType,
      metadata,
      requestFingerprint: fingerprint,
      retries,
      result: ({ state, version }) => ({ state, version }),
    });
  }

  /** `retries` on a concurrency conflict (default 10): logins race on one stream by design and pass more. */
  user = (id: string, c: UserCommand, m: CommandMetadata, fp?: unknown, retries?: number) => this.run<UserCommand, UserState, any>(userDecider, 'user', id, c, m, fp, retries);
  workspace = (id: string, c: WorkspaceCommand, m: CommandMetadata, fp?: unknown) => this.run<WorkspaceCommand, WorkspaceState, any>(workspaceDecider, 'workspace', id, c, m, fp);
  organization = (id: string, c: OrganizationCommand, m: CommandMetadata, fp?: unknown) =>
    this.run<OrganizationCommand, OrganizationState, any>(organizationDecider, 'organization', id, c, m, fp);
  session = (id: string, c: SessionCommand, m: CommandMetadata) => this.run<SessionCommand, SessionState, any>(sessionDecider, 'session', id, c, m);
  apiKey = (id: string, c: ApiKeyCommand, m: CommandMetadata, fp?: unknown) => this.run<ApiKeyCommand, ApiKeyState, any>(apiKeyDecider, 'api-key', id, c, m, fp);
  signupRequest = (id: string, c: SignupRequestCommand, m: CommandMetadata) =>
    this.run<SignupRequestCommand, SignupRequestState, any>(signupRequestDecider, 'signup-request', id, c, m);
  /** Stream per user (1:1). Its state holds the Telegram names: callers pass no Idempotency-Key (the stored answer would keep them in clear). */
  telegramProfile = (userId: string, c: TelegramProfileCommand, m: CommandMetadata) =>
    this.run<TelegramProfileCommand, TelegramProfileState, any>(telegramProfileDecider, 'telegram-profile', userId, c, m);
  oauthAccount = (id: string, c: OAuthAccountCommand, m: CommandMetadata, fp?: unknown) =>
    this.run<OAuthAccountCommand, OAuthAccountState, any>(oauthAccountDecider, 'oauth-account', id, c, m, fp);
  appSetting = (key: string, c: AppSettingCommand, m: CommandMetadata, fp?: unknown) => this.run<AppSettingCommand, AppSettingState, any>(appSettingDecider, 'app-setting', key, c, m, fp);

  /**
   * Claims a unique value (email, slug, organization name) for `owner`, or throws `taken`.
   * The claim's own stream is the lock: two concurrent claims cannot both win.
   */
  async claim(scope: string, value: string, owner: string, m: CommandMetadata, taken: IdentityErrorCode): Promise<void> {
    try {
      await this.handler.handle(uniqueClaimDecider, { kind: 'claim', scope, owner }, {
        streamId: uniqueClaimStreamId(scope, value),
        streamType: 'unique-claim',
        metadata: { ...m, idempotencyKey: undefined, expectedVersion: undefined },
        result: () => null,
      });
    } catch (err) {
      if (err instanceof UniqueValueTakenError || err instanceof ConcurrencyError) throw new IdentityError(taken, `This ${scope} is already taken`);
      throw err;
    }
  }

  async release(scope: string, value: string, owner: string, m: CommandMetadata): Promise<void> {
    await this.handler.handle(uniqueClaimDecider, { kind: 'release', scope, owner }, {
      streamId: uniqueClaimStreamId(scope, value),
      streamType: 'unique-claim',
      metadata: { ...m, idempotencyKey: undefined, expectedVersion: undefined },
      result: () => null,
    });
  }
}
