import { ConversationErrorCode as Code } from '@modules/knowledge/domain/conversation/conversation.errors';

/** Every Ask refusal's HTTP status (exhaustive). */
export const conversationErrorStatuses: Record<Code, number> = {
  [Code.ConversationNotFound]: 404,
  [Code.ConversationsNeedAUser]: 403,
  [Code.AnswerProviderUnavailable]: 503,
  [Code.AnswerProviderTimeout]: 504,
  [Code.AnswerProviderFailed]: 502,
};
