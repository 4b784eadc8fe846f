import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { TelegramProfile, TelegramProfileEvent, telegramProfileDecider } from './telegram-profile.decider';

const spec = DeciderSpecification(telegramProfileDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const profile: TelegramProfile = { telegramUserId: 42, firstName: 'Ada', lastName: null, languageCode: 'en', isBot: false, isPremium: false };
const linked: TelegramProfileEvent = { type: 'identity.telegram-profile-linked', data: { userId: 'u', ...profile, at } };
const unlinked: TelegramProfileEvent = { type: 'identity.telegram-profile-unlinked', data: { userId: 'u', telegramUserId: 42, at } };
const code = (c: Code) => (e: IdentityError) => expect(e.code).toBe(c);

describe('telegram profile decider', () => {
  it('links a first Telegram account, and again after an unlink', () => {
    spec.given([]).when({ kind: 'link', userId: 'u', ...profile, now }).then([linked]);
    spec.given([linked, unlinked]).when({ kind: 'link', userId: 'u', ...profile, now }).then([linked]);
  });

  it('updates what changed, and does nothing when nothing did', () => {
    spec.given([linked]).when({ kind: 'link', userId: 'u', ...profile, lastName: 'Lovelace', isPremium: true, now }).then([
      { type: 'identity.telegram-profile-updated', data: { userId: 'u', ...profile, lastName: 'Lovelace', isPremium: true, at } },
    ]);
    spec.given([linked]).when({ kind: 'link', userId: 'u', ...profile, now }).thenNothingHappened();
  });

  it('another Telegram id replaces the old one: unlinked, then linked', () => {
    spec.given([linked]).when({ kind: 'link', userId: 'u', ...profile, telegramUserId: 43, now }).then([
      unlinked,
      { type: 'identity.telegram-profile-linked', data: { userId: 'u', ...profile, telegramUserId: 43, at } },
    ]);
  });

  it('unlinks a linked account only', () => {
    spec.given([linked]).when({ kind: 'unlink', now }).then([unlinked]);
    spec.given([]).when({ kind: 'unlink', now }).thenThrows(IdentityError, code(Code.TelegramProfileNotFound));
    spec.given([linked, unlinked]).when({ kind: 'unlink', now }).thenThrows(IdentityError, code(Code.TelegramProfileNotFound));
  });
});
