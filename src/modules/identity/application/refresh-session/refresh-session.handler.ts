import { Inject, Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { AccessTokens } from '@modules/identity/infrastructure/access-tokens';
import { newRefreshToken, parseRefreshToken } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { TokenPair } from '@modules/identity/application/shared/session-issuer';

/**
 * Rotation with reuse detection: every refresh replaces the refresh token; presenting one that
 * was already rotated away revokes the whole session (its family) and answers 401.
 */
@Injectable()
export class RefreshSessionHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly tokens: AccessTokens,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  async execute(refreshToken: string, meta: CommandMetadata): Promise<TokenPair> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) throw new IdentityError(Code.RefreshTokenInvalid, 'The refresh token is not valid');
    const next = newRefreshToken(parsed.sessionId);
    const out = await this.aggregates.session.handle(parsed.sessionId, { kind: 'refresh', presentedHash: parsed.hash, newHash: next.hash, now: meta.now }, { ...meta, idempotencyKey: undefined, expectedVersion: undefined });
    const state = out.result.state;
    if (state.status !== 'active') {
      throw new IdentityError(Code.RefreshTokenReused, 'This refresh token was already used: the session is revoked, sign in again');
    }
    const user = await this.queries.userAccess(state.userId);
    if (!user?.is_active) throw new IdentityError(Code.RefreshTokenInvalid, 'The refresh token is not valid');
    const access = this.tokens.issue(state.userId, state.sessionId, user.is_superuser);
    return { accessToken: access.accessToken, refreshToken: next.token, tokenType: 'Bearer', expiresIn: access.expiresIn };
  }
}
