import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { AppSettingEvent } from '@modules/identity/domain/app-setting/app-setting.decider';
import { AppSettingsProjection } from '@modules/identity/projections/app-settings.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const set = (key: string, value: string, when = at): AppSettingEvent => ({ type: 'identity.app-setting-set', data: { key, value, at: when } });

describe('AppSettingsProjection (identity_app_settings_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<AppSettingEvent>(new AppSettingsProjection(), () => db.pool);

  it('keys rows by the setting, not the stream', async () => {
    await spec
      .given([])
      .when([set('signup.open', 'true'), set('ui.theme', 'dark')])
      .then([
        { key: 'signup.open', value: 'true', created_at: at, updated_at: at },
        { key: 'ui.theme', value: 'dark', created_at: at, updated_at: at },
      ]);
  });

  it('a new value keeps the creation time', async () => {
    await spec.given([set('signup.open', 'true')]).when([set('signup.open', 'false', later)]).then([{ key: 'signup.open', value: 'false', created_at: at, updated_at: later }]);
  });

  it('deleting removes the row', async () => {
    await spec.given([set('signup.open', 'true')]).when([{ type: 'identity.app-setting-deleted', data: { key: 'signup.open', at: later } }]).then([]);
  });

  it('a redelivered value changes nothing', async () => {
    const changed = set('signup.open', 'false', later);
    await spec.given([set('signup.open', 'true'), changed]).when([changed]).then([{ key: 'signup.open', value: 'false', created_at: at, updated_at: later }]);
  });
});
