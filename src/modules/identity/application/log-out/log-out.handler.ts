import { Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { SessionRevokeReason } from '@modules/identity/domain/session/session.decider';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';

/** Ends one session, or every session of a user (logout everywhere, password change). */
@Injectable()
export class LogOutHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
  ) {}

  async one(sessionId: string, meta: CommandMetadata): Promise<void> {
    await this.aggregates.session.handle(sessionId, { kind: 'revoke', reason: 'logout', now: meta.now }, { ...meta, idempotencyKey: undefined });
  }

  async all(userId: string, reason: SessionRevokeReason, meta: CommandMetadata, except?: string | null): Promise<number> {
    const ids = (await this.queries.activeSessionIds(userId)).filter((id) => id !== except);
    for (const id of ids) await this.aggregates.session.handle(id, { kind: 'revoke', reason, now: meta.now }, { ...meta, idempotencyKey: undefined });
    return ids.length;
  }
}
