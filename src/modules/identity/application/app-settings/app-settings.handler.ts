import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { SETTING_KEY } from '@modules/identity/domain/app-setting/app-setting.decider';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';

const notFound = () => new IdentityError(Code.SettingNotFound, 'No such setting');

/** Platform settings (seed 002 app_settings, e.g. the Telegram owner binding), for superusers. */
@Injectable()
export class AppSettingsHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
  ) {}

  list() {
    return this.queries.appSettings();
  }

  async get(key: string) {
    const setting = SETTING_KEY.test(key) ? await this.queries.appSetting(key) : null;
    if (!setting) throw notFound();
    return setting;
  }

  async set(key: string, value: string, meta: CommandMetadata) {
    if (!SETTING_KEY.test(key)) {
      throw new ValidationFailedError('The setting key is not valid', [{ field: 'key', message: 'must match ^[a-z0-9][a-z0-9._-]{0,99}$' }]);
    }
    await this.aggregates.appSetting.handle(key, { kind: 'set', key, value, now: meta.now }, meta, { fingerprint: { key, value } });
    return this.get(key);
  }

  async delete(key: string, meta: CommandMetadata): Promise<void> {
    // An invalid key was never set: "not found", like any unknown one.
    if (!SETTING_KEY.test(key)) throw notFound();
    await this.aggregates.appSetting.handle(key, { kind: 'delete', now: meta.now }, meta);
  }
}
