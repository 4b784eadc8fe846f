import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { principalOf } from '@libs/common/auth/principal';
import { ConversationError, ConversationErrorCode } from '@modules/knowledge/domain/conversation/conversation.errors';

/**
 * The id of the signed-in user a conversation belongs to. API keys and the operator token act
 * for no person: they are refused (403) rather than given conversations no one owns.
 */
export const AskingUser = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const p = principalOf(ctx.switchToHttp().getRequest<Request>());
  if (p?.kind !== 'user') throw new ConversationError(ConversationErrorCode.ConversationsNeedAUser, 'Conversations belong to users: sign in as a user to ask');
  return p.userId;
});
