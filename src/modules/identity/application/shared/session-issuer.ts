import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { AccessTokens } from '@modules/identity/infrastructure/access-tokens';
import { newRefreshToken } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

/** Starts a session (a refresh-token family) and issues its first token pair. */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly tokens: AccessTokens,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  /** `sessionId` may be chosen by the caller (login records it on the user before the session starts). */
  async start(userId: string, superuser: boolean, client: ClientInfo, meta: CommandMetadata, sessionId: string = uuidv7()): Promise<{ sessionId: string; tokens: TokenPair }> {
    const refresh = newRefreshToken(sessionId);
    const expiresAt = new Date(meta.now.getTime() + this.options.refreshTokenTtlDays * 86_400_000);
    await this.aggregates.session.handle(sessionId, { kind: 'start', sessionId, userId, tokenHash: refresh.hash, expiresAt, userAgent: client.userAgent, ip: client.ip, now: meta.now }, { ...meta, idempotencyKey: undefined });
    const access = this.tokens.issue(userId, sessionId, superuser);
    return { sessionId, tokens: { accessToken: access.accessToken, refreshToken: refresh.token, tokenType: 'Bearer', expiresIn: access.expiresIn } };
  }
}
