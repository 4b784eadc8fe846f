import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { TelegramProfileEvent } from '@modules/identity/domain/telegram-profile/telegram-profile.decider';
import { TelegramProfilesProjection } from '@modules/identity/projections/telegram-profiles.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

type SubjectErased = { type: 'privacy.subject-erased'; data: { subjectId: string } };

const userId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const profileOf = { telegramUserId: 5_000_000_001, firstName: 'Ann', lastName: 'Lee', languageCode: 'en', isBot: false, isPremium: false };
const linked: TelegramProfileEvent = { type: 'identity.telegram-profile-linked', data: { userId, ...profileOf, at } };
const profile = {
  user_id: userId,
  telegram_user_id: 5_000_000_001,
  first_name: 'Ann',
  last_name: 'Lee',
  language_code: 'en',
  is_bot: false,
  is_premium: false,
  source_id: null,
  created_at: at,
  updated_at: at,
};

describe('TelegramProfilesProjection (identity_telegram_profiles_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<TelegramProfileEvent | SubjectErased>(new TelegramProfilesProjection(), () => db.pool, {
    // bigint reads back as a string in node-pg.
    columns: ['user_id', 'telegram_user_id::float8 AS telegram_user_id', 'first_name', 'last_name', 'language_code', 'is_bot', 'is_premium', 'source_id', 'created_at', 'updated_at'],
  });

  it('links one profile per user', async () => {
    await spec.given([]).when([linked]).then([profile]);
  });

  it('updates what Telegram tells, and unlinking deletes the row', async () => {
    const updated: TelegramProfileEvent = { type: 'identity.telegram-profile-updated', data: { userId, ...profileOf, lastName: null, isPremium: true, at: later } };
    await spec.given([linked]).when([updated]).then([{ ...profile, last_name: null, is_premium: true, updated_at: later }]);
    await spec.given([linked]).when([{ type: 'identity.telegram-profile-unlinked', data: { userId, telegramUserId: 5_000_000_001, at: later } }]).then([]);
  });

  it("erases the user's names; other subjects are not ours", async () => {
    const erasedAt = new Date('2026-12-01T00:00:00.000Z');
    await spec
      .given([linked])
      .when([
        { type: 'privacy.subject-erased', data: { subjectId: userId }, recordedAt: erasedAt },
        { type: 'privacy.subject-erased', data: { subjectId: 'source-contact:x' } },
      ])
      .then([{ ...profile, first_name: '[erased]', last_name: '[erased]', updated_at: erasedAt.toISOString() }]);
  });

  it('a redelivered update changes nothing', async () => {
    const updated: TelegramProfileEvent = { type: 'identity.telegram-profile-updated', data: { userId, ...profileOf, firstName: 'Anna', at: later } };
    await spec.given([linked, updated]).when([updated]).then([{ ...profile, first_name: 'Anna', updated_at: later }]);
  });
});
