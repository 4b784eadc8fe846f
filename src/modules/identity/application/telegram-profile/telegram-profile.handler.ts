import { Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { LinkTelegramProfileRequestDto } from './telegram-profile.request.dto';

/** The signed-in user's Telegram account (1:1): link or update, read, unlink. */
@Injectable()
export class TelegramProfileHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
  ) {}

  async get(userId: string) {
    const profile = await this.queries.telegramProfileOf(userId);
    if (!profile) throw new IdentityError(Code.TelegramProfileNotFound, 'No Telegram account is linked');
    return profile;
  }

  async link(userId: string, input: LinkTelegramProfileRequestDto, meta: CommandMetadata) {
    // No Idempotency-Key record: the answer would keep the Telegram names in clear, outside
    // crypto-shredding. A PUT is idempotent by itself (the same profile again changes nothing).
    const m = { ...meta, idempotencyKey: undefined };
    const before = await this.queries.telegramProfileOf(userId);
    const id = input.telegramUserId;
    const newClaim = before?.telegramUserId !== id;
    await this.aggregates.telegramUsers.claim(String(id), userId, m);
    try {
      await this.aggregates.telegramProfile.handle(
        userId,
        {
          kind: 'link',
          userId,
          telegramUserId: id,
          firstName: input.firstName,
          lastName: input.lastName ?? null,
          languageCode: input.languageCode ?? null,
          isBot: input.isBot ?? false,
          isPremium: input.isPremium ?? false,
          now: meta.now,
        },
        m,
      );
    } catch (err) {
      if (newClaim) await this.aggregates.telegramUsers.release(String(id), userId, m);
      throw err;
    }
    // Another Telegram account replaced the old one: its id is free again.
    if (before && newClaim) await this.aggregates.telegramUsers.release(String(before.telegramUserId), userId, m);
    return this.get(userId);
  }

  async unlink(userId: string, meta: CommandMetadata): Promise<void> {
    const m = { ...meta, idempotencyKey: undefined };
    const before = await this.get(userId);
    await this.aggregates.telegramProfile.handle(userId, { kind: 'unlink', now: meta.now }, m);
    await this.aggregates.telegramUsers.release(String(before.telegramUserId), userId, m);
  }
}
