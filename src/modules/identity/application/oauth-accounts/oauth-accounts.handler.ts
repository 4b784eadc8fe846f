import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v5 as uuidv5 } from 'uuid';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { isConnectProvider, OAuthProviders, RevokeOutcome } from '@modules/identity/infrastructure/oauth-providers';
import { OAuthTokenVault } from '@modules/identity/infrastructure/oauth-token-vault';
import { LinkOAuthAccountRequestDto, RefreshOAuthTokensRequestDto } from './oauth-accounts.request.dto';

const ACCOUNT_ID_NAMESPACE = '5b0e7c1e-3f0a-4d8e-9a51-7d3c2f6b9e40';
const MAX_SYNC_STATE_BYTES = 64 * 1024;

/**
 * One id per (user, provider, provider account): linking the same account again (a new consent)
 * lands on the same stream and replaces its tokens, and the AAD of its tokens can name it
 * before anything is appended.
 */
export const oauthAccountIdOf = (userId: string, provider: string, providerAccountId: string) => uuidv5(`${userId}\n${provider}\n${providerAccountId}`, ACCOUNT_ID_NAMESPACE);

const dateOrNull = (s: string | undefined) => (s === undefined ? null : new Date(s));

/** The signed-in user's OAuth accounts (seed 004 accounts). Answers never carry a token. */
@Injectable()
export class OAuthAccountsHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly vault: OAuthTokenVault,
    private readonly providers: OAuthProviders,
  ) {}

  list(userId: string) {
    return this.queries.oauthAccountsOf(userId);
  }

  async get(userId: string, accountId: string) {
    const [account] = isUUID(accountId) ? await this.queries.oauthAccountsOf(userId, accountId) : [];
    if (!account) throw new IdentityError(Code.OAuthAccountNotFound, 'No such OAuth account');
    return account;
  }

  async link(userId: string, input: LinkOAuthAccountRequestDto, meta: CommandMetadata) {
    const accountId = oauthAccountIdOf(userId, input.provider, input.providerAccountId);
    const pair = `${input.provider}:${input.providerAccountId}`;
    const existed = (await this.queries.oauthAccountsOf(userId, accountId)).length > 0;
    await this.aggregates.oauthProviderAccounts.claim(pair, userId, meta);
    try {
      await this.aggregates.oauthAccount.handle(
        accountId,
        {
          kind: 'link',
          accountId,
          userId,
          provider: input.provider,
          providerAccountId: input.providerAccountId,
          // Sealed here, before the decider: the event only ever holds ciphertexts.
          accessTokenCiphertext: this.vault.seal(accountId, 'access', input.accessToken),
          refreshTokenCiphertext: input.refreshToken === undefined ? null : this.vault.seal(accountId, 'refresh', input.refreshToken),
          idTokenCiphertext: input.idToken === undefined ? null : this.vault.seal(accountId, 'id', input.idToken),
          expiresAt: dateOrNull(input.expiresAt),
          tokenType: input.tokenType ?? null,
          scope: input.scope ?? null,
          sessionState: input.sessionState ?? null,
          now: meta.now,
        },
        // The ciphertexts differ on every call (random IVs): a retry is recognised by its body.
        meta,
        { fingerprint: input },
      );
    } catch (err) {
      if (!existed) await this.aggregates.oauthProviderAccounts.release(pair, userId, meta);
      throw err;
    }
    return this.get(userId, accountId);
  }

  async refreshTokens(userId: string, accountId: string, input: RefreshOAuthTokensRequestDto, meta: CommandMetadata) {
    await this.get(userId, accountId);
    await this.aggregates.oauthAccount.handle(
      accountId,
      {
        kind: 'refresh-tokens',
        userId,
        accessTokenCiphertext: this.vault.seal(accountId, 'access', input.accessToken),
        ...(input.refreshToken !== undefined ? { refreshTokenCiphertext: this.vault.seal(accountId, 'refresh', input.refreshToken) } : {}),
        ...(input.idToken !== undefined ? { idTokenCiphertext: this.vault.seal(accountId, 'id', input.idToken) } : {}),
        expiresAt: dateOrNull(input.expiresAt),
        ...(input.tokenType !== undefined ? { tokenType: input.tokenType } : {}),
        ...(input.scope !== undefined ? { scope: input.scope } : {}),
        now: meta.now,
      },
      meta,
      { fingerprint: input },
    );
    return this.get(userId, accountId);
  }

  async setSyncState(userId: string, accountId: string, syncState: Record<string, unknown>, meta: CommandMetadata) {
    if (Buffer.byteLength(JSON.stringify(syncState)) > MAX_SYNC_STATE_BYTES) {
      throw new ValidationFailedError('syncState is too large', [{ field: 'syncState', message: `must be at most ${MAX_SYNC_STATE_BYTES} bytes of JSON` }]);
    }
    await this.get(userId, accountId);
    await this.aggregates.oauthAccount.handle(accountId, { kind: 'set-sync-state', userId, syncState, now: meta.now }, meta, { fingerprint: syncState });
    return this.get(userId, accountId);
  }

  /**
   * Revokes the grant at the provider first (Google, Slack; Microsoft has no revocation endpoint),
   * then unlinks even when the revocation failed: the tokens leave the read model either way, and
   * the answer says whether the provider revoked them. Unlinking stops every source naming the
   * account (ingestion reacts to identity.oauth-account-unlinked).
   */
  async unlink(userId: string, accountId: string, meta: CommandMetadata): Promise<{ revoked: boolean; revocation: RevokeOutcome | 'not_attempted' }> {
    if (!isUUID(accountId)) throw new IdentityError(Code.OAuthAccountNotFound, 'No such OAuth account');
    let revocation: RevokeOutcome | 'not_attempted' = 'not_attempted';
    // Tokens that no longer open (a tampered row, a retired key) cannot be revoked, but the account still unlinks.
    const tokens = await this.vault.tokensFor(accountId).catch(() => null);
    if (tokens && tokens.userId === userId && isConnectProvider(tokens.provider) && this.providers.configured(tokens.provider)) {
      revocation = await this.providers.revoke(tokens.provider, tokens);
    }
    const { result } = await this.aggregates.oauthAccount.handle(accountId, { kind: 'unlink', userId, now: meta.now }, meta);
    const s = result.state;
    // The pair is free again, for anyone.
    if (s.status !== 'none') await this.aggregates.oauthProviderAccounts.release(`${s.provider}:${s.providerAccountId}`, userId, meta);
    return { revoked: revocation === 'revoked', revocation };
  }
}
