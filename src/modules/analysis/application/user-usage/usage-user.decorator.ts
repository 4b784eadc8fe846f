import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { principalOf } from '@libs/common/auth/principal';
import { AnalysisUsageError, AnalysisUsageErrorCode } from '@modules/analysis/domain/analysis-usage.errors';

/** The signed-in user whose own usage is read. API keys and the operator token are no person: 403. */
export const UsageUser = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const p = principalOf(ctx.switchToHttp().getRequest<Request>());
  if (p?.kind !== 'user') throw new AnalysisUsageError(AnalysisUsageErrorCode.UsageNeedsAUser, 'Usage of "me" belongs to a user: sign in as a user');
  return p.userId;
});
