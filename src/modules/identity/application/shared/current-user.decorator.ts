import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Principal, principalOf } from '@libs/common/auth/principal';

/** The signed-in user of a route behind UserGuard. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Extract<Principal, { kind: 'user' }> => {
  const p = principalOf(ctx.switchToHttp().getRequest<Request>());
  if (p?.kind !== 'user') throw new Error('CurrentUser on a route without UserGuard');
  return p;
});

/** Whoever calls a workspace route (user, API key or operator). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = principalOf(ctx.switchToHttp().getRequest<Request>());
  if (!p) throw new Error('CurrentPrincipal on a route without an authentication guard');
  return p;
});
