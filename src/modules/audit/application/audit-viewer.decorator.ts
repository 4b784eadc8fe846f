import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { principalOf } from '@libs/common/auth/principal';
import type { AuditViewer } from '@libs/event-store/audit-visibility';

/**
 * Who reads the log, for the event types' visibility rules: a signed-in user sees their own
 * private events (their AI conversations); an API key or the operator token is nobody's user
 * and sees no private event at all.
 */
export const CurrentAuditViewer = createParamDecorator((_: unknown, ctx: ExecutionContext): AuditViewer => {
  const p = principalOf(ctx.switchToHttp().getRequest<Request>());
  return { userId: p?.kind === 'user' ? p.userId : null };
});
