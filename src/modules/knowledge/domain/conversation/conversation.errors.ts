import { ApplicationError } from '@libs/common/errors/application-error';

export enum ConversationErrorCode {
  /** No such conversation in this workspace, another user's, or archived: the same answer. */
  ConversationNotFound = 'KNOWLEDGE.CONVERSATION_NOT_FOUND',
  /** API keys and the operator token ask on no one's behalf, and conversations belong to a user. */
  ConversationsNeedAUser = 'KNOWLEDGE.CONVERSATIONS_NEED_A_USER',
  /** The model provider is down, rate-limited or unreachable; trying again later can help. */
  AnswerProviderUnavailable = 'KNOWLEDGE.ANSWER_PROVIDER_UNAVAILABLE',
  AnswerProviderTimeout = 'KNOWLEDGE.ANSWER_PROVIDER_TIMEOUT',
  /** The provider refused the call or answered nonsense (configuration, credentials, output). */
  AnswerProviderFailed = 'KNOWLEDGE.ANSWER_PROVIDER_FAILED',
}

export class ConversationError extends ApplicationError {
  constructor(
    readonly code: ConversationErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
