import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { principalOf } from '@libs/common/auth/principal';

/**
 * The person an AI agent request acts for: the signed-in user. An API key or the operator token
 * acts for no person (null): it owns no agent, so it reads and runs none (agents are their
 * owner's, see ai-agents.audit-visibility.ts).
 */
export const AgentOwner = createParamDecorator((_: unknown, ctx: ExecutionContext): string | null => {
  const p = principalOf(ctx.switchToHttp().getRequest<Request>());
  return p?.kind === 'user' ? p.userId : null;
});

/** The user id of an actor id, or null when the actor is no person (`api-key:<id>`, `operator`): what a uuid column of "who asked" may hold. */
export function personOf(actorId: string | null | undefined): string | null {
  return actorId && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(actorId) ? actorId : null;
}
