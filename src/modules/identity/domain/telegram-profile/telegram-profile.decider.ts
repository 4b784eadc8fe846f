import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';

/** What Telegram tells about its user (seed 003 telegram_profiles). */
export interface TelegramProfile {
  /** Telegram's numeric user id (bigint in the seed; every id so far fits a JS safe integer). */
  telegramUserId: number;
  firstName: string;
  lastName: string | null;
  languageCode: string | null;
  isBot: boolean;
  isPremium: boolean;
}

/**
 * The Telegram account of a user, 1:1 (stream per user). Uniqueness of the Telegram id across
 * users is a claim stream (infrastructure), not this decider's business.
 */
export type TelegramProfileEvent =
  | { type: 'identity.telegram-profile-linked'; data: { userId: string } & TelegramProfile & { at: string } }
  | { type: 'identity.telegram-profile-updated'; data: { userId: string } & TelegramProfile & { at: string } }
  | { type: 'identity.telegram-profile-unlinked'; data: { userId: string; telegramUserId: number; at: string } };

export type TelegramProfileState =
  | { status: 'none' }
  | { status: 'unlinked'; userId: string }
  | { status: 'linked'; userId: string; profile: TelegramProfile };

export type TelegramProfileCommand =
  | ({ kind: 'link'; userId: string; now: Date } & TelegramProfile)
  | { kind: 'unlink'; now: Date };

/** The Telegram names are personal data of the user (crypto-shredded with the user's key). */
export const telegramProfilePersonalData: Record<string, { subject: string; fields: string[] }> = {
  'identity.telegram-profile-linked': { subject: 'userId', fields: ['firstName', 'lastName'] },
  'identity.telegram-profile-updated': { subject: 'userId', fields: ['firstName', 'lastName'] },
};

const profileOf = (p: TelegramProfile): TelegramProfile => ({
  telegramUserId: p.telegramUserId,
  firstName: p.firstName,
  lastName: p.lastName,
  languageCode: p.languageCode,
  isBot: p.isBot,
  isPremium: p.isPremium,
});

const sameProfile = (a: TelegramProfile, b: TelegramProfile) =>
  a.telegramUserId === b.telegramUserId &&
  a.firstName === b.firstName &&
  a.lastName === b.lastName &&
  a.languageCode === b.languageCode &&
  a.isBot === b.isBot &&
  a.isPremium === b.isPremium;

export const telegramProfileDecider: Decider<TelegramProfileCommand, TelegramProfileState, TelegramProfileEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (s, e) => {
    switch (e.type) {
      case 'identity.telegram-profile-linked':
      case 'identity.telegram-profile-updated':
        return { status: 'linked', userId: e.data.userId, profile: profileOf(e.data) };
      case 'identity.telegram-profile-unlinked':
        return { status: 'unlinked', userId: e.data.userId };
      default:
        return assertNever(e);
    }
  },

  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'link': {
        const next = profileOf(c);
        if (s.status !== 'linked') return { type: 'identity.telegram-profile-linked', data: { userId: c.userId, ...next, at } };
        if (s.profile.telegramUserId !== next.telegramUserId) {
          // Another Telegram account: the old one is let go, the new one linked (two facts).
          return [
            { type: 'identity.telegram-profile-unlinked', data: { userId: s.userId, telegramUserId: s.profile.telegramUserId, at } },
            { type: 'identity.telegram-profile-linked', data: { userId: c.userId, ...next, at } },
          ];
        }
        if (sameProfile(s.profile, next)) return [];
        return { type: 'identity.telegram-profile-updated', data: { userId: s.userId, ...next, at } };
      }
      case 'unlink':
        if (s.status !== 'linked') throw new IdentityError(Code.TelegramProfileNotFound, 'No Telegram account is linked');
        return { type: 'identity.telegram-profile-unlinked', data: { userId: s.userId, telegramUserId: s.profile.telegramUserId, at } };
      default:
        return assertNever(c);
    }
  },
};
