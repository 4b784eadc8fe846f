import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, hasCredentials, secretsEqual } from './credentials';
import { authFailureOf, principalOf, setPrincipal } from './principal';

/**
 * Superusers only, for /api/v1/admin: a signed-in user with the superuser flag (identity's
 * authentication middleware sets the principal), or the operator token `ADMIN_TOKEN` for
 * automation and break-glass access (unset = no operator token).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly token = process.env.ADMIN_TOKEN ?? '';

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const principal = principalOf(req);
    if (principal?.kind === 'user' && principal.superuser) return true;
    if (principal?.kind === 'operator') return true;
    const given = bearerToken(req);
    if (given !== undefined && this.token && secretsEqual(given, this.token)) {
      setPrincipal(req, { kind: 'operator' });
      return true;
    }
    if (!hasCredentials(req) || (authFailureOf(req) && !principal)) {
      throw new UnauthorizedException(authFailureOf(req) ?? 'A bearer token is required');
    }
    throw new ForbiddenException('Not a superuser');
  }
}
