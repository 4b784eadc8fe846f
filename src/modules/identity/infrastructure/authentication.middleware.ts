import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import { bearerToken, secretsEqual } from '@libs/common/auth/credentials';
import { actorIdOf, Principal, setAuthFailure, setPrincipal } from '@libs/common/auth/principal';
import { isWorkspaceRole } from '@libs/common/auth/workspace-role';
import { requestContext } from '@libs/common/request-context/request-context';
import { AccessTokenClaims } from './access-tokens';
import { parseApiKey, sameSecret } from './credentials.crypto';
import { IdentityQueries } from './identity.queries';
import { IDENTITY_OPTIONS, IdentityOptions } from './identity.options';

/**
 * Establishes who is calling, once per request, for every route: `X-API-Key`, the operator
 * token, or a JWT access token (passport-jwt). It never answers by itself: guards decide, so
 * public routes stay public. Bad credentials are remembered as an auth failure (a 401 wherever
 * credentials are needed). A deactivated or erased user loses access at once, not at token expiry.
 */
@Injectable()
export class AuthenticationMiddleware implements NestMiddleware {
  constructor(
    private readonly queries: IdentityQueries,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    try {
      const principal = await this.authenticate(req);
      if (principal) {
        setPrincipal(req, principal);
        requestContext.patch({ actorId: actorIdOf(principal) });
      }
      next();
    } catch (err) {
      next(err);
    }
  }

  private async authenticate(req: Request): Promise<Principal | undefined> {
    const apiKey = req.header('x-api-key');
    if (apiKey !== undefined && apiKey.trim() !== '') return this.fromApiKey(req, apiKey);
    const bearer = bearerToken(req);
    if (bearer === undefined) return undefined;
    if (this.options.adminToken && secretsEqual(bearer, this.options.adminToken)) return { kind: 'operator' };
    const claims = await this.verifyJwt(req);
    if (!claims) {
      setAuthFailure(req, 'The access token is invalid or has expired');
      return undefined;
    }
    const user = typeof claims.sid === 'string' ? await this.queries.principalAccess(claims.sub, claims.sid) : null;
    if (!user || !user.is_active || !user.session_live) {
      setAuthFailure(req, 'The session has ended or the account is not active');
      return undefined;
    }
    return { kind: 'user', userId: claims.sub, sessionId: claims.sid ?? null, superuser: user.is_superuser };
  }

  private verifyJwt(req: Request): Promise<AccessTokenClaims | null> {
    return new Promise((resolve) => {
      passport.authenticate('jwt', { session: false }, (err: unknown, claims: AccessTokenClaims | false) => resolve(err || !claims ? null : claims))(req, {} as Response, () => resolve(null));
    });
  }

  private async fromApiKey(req: Request, key: string): Promise<Principal | undefined> {
    const parsed = parseApiKey(key);
    const row = parsed ? await this.queries.apiKeyByPrefix(parsed.prefix) : null;
    const expired = row?.expires_at && new Date(row.expires_at).getTime() <= Date.now();
    if (!parsed || !row || !sameSecret(parsed.hash, row.key_hash) || row.revoked_at || expired || !isWorkspaceRole(row.role)) {
      setAuthFailure(req, 'The API key is invalid, expired or revoked');
      return undefined;
    }
    await this.queries.touchApiKey(row.id);
    return { kind: 'api-key', apiKeyId: row.id, workspaceId: row.workspace_id, role: row.role, createdBy: row.created_by };
  }
}
