import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { TelegramProfileEvent } from '@modules/identity/domain/telegram-profile/telegram-profile.decider';
import { ERASED_TEXT, SUBJECT_ERASED, UUID } from './erased';

type Data<T extends TelegramProfileEvent['type']> = Extract<TelegramProfileEvent, { type: T }>['data'];

export interface TelegramProfileRow extends Record<string, unknown> {
  user_id: string;
  /** bigint: node-pg reads it as a string. */
  telegram_user_id: string | number;
  first_name: string;
  last_name: string | null;
  language_code: string | null;
  is_bot: boolean;
  is_premium: boolean;
  /** The message source the profile was seen in; set once ingestion exists. */
  source_id: string | null;
  created_at: string;
  updated_at: string;
}

const profile = (d: Data<'identity.telegram-profile-linked'>) => ({
  telegram_user_id: d.telegramUserId,
  first_name: d.firstName,
  last_name: d.lastName,
  language_code: d.languageCode,
  is_bot: d.isBot,
  is_premium: d.isPremium,
});

/**
 * identity_telegram_profiles_view (seed 003 telegram_profiles), one row per user (1:1). The
 * uniqueness of telegram_user_id is a claim stream, not an index of this table.
 */
export class TelegramProfilesProjection extends RowProjection<TelegramProfileRow> {
  readonly name = 'identity.telegram-profiles';
  readonly table = 'identity_telegram_profiles_view';
  override readonly keyColumn = 'user_id';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string | null {
    if (e.type !== SUBJECT_ERASED) return String((e.data as { userId: string }).userId);
    // Users are subjects named by their id; other subjects (authors, contacts...) are not ours.
    const subject = String((e.data as { subjectId: string }).subjectId);
    return UUID.test(subject) ? subject : null;
  }

  readonly handlers: Record<string, RowHandler<TelegramProfileRow>> = {
    'identity.telegram-profile-linked': (_r, e) => {
      const d = e.data as Data<'identity.telegram-profile-linked'>;
      return { user_id: d.userId, ...profile(d), source_id: null, created_at: d.at, updated_at: d.at };
    },
    'identity.telegram-profile-updated': (r, e) => {
      const d = e.data as Data<'identity.telegram-profile-updated'>;
      return r ? { ...r, ...profile(d), updated_at: d.at } : null;
    },
    'identity.telegram-profile-unlinked': () => null,
    // Crypto-shredding: the log reads '[erased]' for the names from now on; so does this row.
    [SUBJECT_ERASED]: (r, e) => (r ? { ...r, first_name: ERASED_TEXT, last_name: r.last_name === null ? null : ERASED_TEXT, updated_at: e.recordedAt.toISOString() } : null),
  };
}
