import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { authFailureOf, principalOf } from '@libs/common/auth/principal';

/** A signed-in person (JWT): the routes about "me" are not for API keys or the operator token. */
@Injectable()
export class UserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (principalOf(req)?.kind === 'user') return true;
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException(authFailureOf(req) ?? 'Sign in: Authorization: Bearer <access token>');
  }
}
