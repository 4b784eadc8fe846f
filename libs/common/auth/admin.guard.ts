import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * TEMPORARY superuser guard for /api/v1/admin until the identity module lands (issue 5):
 * `Authorization: Bearer <ADMIN_TOKEN>`. Without ADMIN_TOKEN configured the admin API is closed.
 * Identity will replace this with "authenticated user with the superuser flag".
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly token = process.env.ADMIN_TOKEN ?? '';

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.header('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) throw new UnauthorizedException('A bearer token is required');
    if (!this.token) throw new ForbiddenException('The admin API is disabled: set ADMIN_TOKEN');
    const given = Buffer.from(m[1]);
    const expected = Buffer.from(this.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ForbiddenException('Not a superuser');
    }
    return true;
  }
}
