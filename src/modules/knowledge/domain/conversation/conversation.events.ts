/**
 * An Ask conversation (seed 004 ai_conversations / ai_messages): a user's questions, the
 * answers with their citations, and the retrieval behind each answer. Stream
 * `ai-conversation-<uuid>`; `userId` is the asking user and their data subject.
 */

/** One source message an answer rests on; `n` is its number in the answer text ([n]). */
export interface AnswerCitation {
  n: number;
  messageId: string;
  externalId: string;
  chunkId: string;
  /** The cited chunk's text: words of the source message. */
  text: string;
  sourceKind: string;
  channelName: string | null;
  sentAt: string;
  link: { api: string; external: string | null };
  score: number;
}

/** What the assistant called to answer (seed ai_messages.function_calls): the retrieval (`fulltext` when semantic search was unavailable). */
export interface SearchFunctionCall {
  name: 'search';
  arguments: { q: string; mode: 'hybrid' | 'semantic' | 'fulltext'; limit: number };
  /** chunkIds: the relevant hits given to the model as documents, in their order; `discarded`: hits below the relevance bar. */
  result: { chunkIds: string[]; discarded: number };
}

export interface AssistantReplyMetadata {
  /** false: nothing relevant was found (or the model found nothing to cite), and the answer says so. */
  grounded: boolean;
  latencyMs: number;
  /** null when no model was called (nothing relevant to give it). */
  provider: string | null;
  promptTokens: number;
  completionTokens: number;
}

/** Why a question has no answer: the model provider failed (the question is kept). */
export interface AnswerFailure {
  kind: string;
  message: string;
  retryable: boolean;
}

export type ConversationEvent =
  | {
      type: 'knowledge.ai-conversation-started';
      data: {
        conversationId: string;
        workspaceId: string;
        userId: string;
        agentId: string | null;
        title: string;
        context: Record<string, unknown>;
        at: string;
      };
    }
  | {
      type: 'knowledge.ai-conversation-user-message-added';
      /** `position`: 1-based place of the message in the conversation (messages of one command share a time). */
      data: { conversationId: string; messageId: string; userId: string; position: number; content: string; at: string };
    }
  | {
      type: 'knowledge.ai-conversation-assistant-message-added';
      data: {
        conversationId: string;
        messageId: string;
        userId: string;
        position: number;
        /** The question it answers. */
        replyTo: string;
        content: string;
        citations: AnswerCitation[];
        functionCalls: SearchFunctionCall[];
        tokensUsed: number;
        model: string | null;
        metadata: AssistantReplyMetadata;
        at: string;
      };
    }
  | {
      type: 'knowledge.ai-conversation-answer-failed';
      /** `messageId`: the question that got no answer. */
      data: { conversationId: string; messageId: string; userId: string; error: AnswerFailure; at: string };
    }
  | { type: 'knowledge.ai-conversation-archived'; data: { conversationId: string; userId: string; at: string } };

export type ConversationEventType = ConversationEvent['type'];

/**
 * The asker's words are their personal data (crypto-shredded with the user's key, the subject
 * identity uses for users): the question, the title made from it, the retrieval query built
 * from it, and the answer, which routinely restates the question. Citations are words of the
 * workspace's messages, not the asker's, and stay readable.
 */
export const conversationPersonalData: Record<string, { subject: string; fields: string[] }> = {
  'knowledge.ai-conversation-started': { subject: 'userId', fields: ['title'] },
  'knowledge.ai-conversation-user-message-added': { subject: 'userId', fields: ['content'] },
  'knowledge.ai-conversation-assistant-message-added': { subject: 'userId', fields: ['content', 'functionCalls.arguments.q'] },
};

/** An Ask conversation is its asker's alone: no reader of the log (audit included) shows it to anyone else. */
export const conversationAuditVisibility: Record<string, { privateTo: string }> = {
  'knowledge.ai-conversation-started': { privateTo: 'userId' },
  'knowledge.ai-conversation-user-message-added': { privateTo: 'userId' },
  'knowledge.ai-conversation-assistant-message-added': { privateTo: 'userId' },
  'knowledge.ai-conversation-answer-failed': { privateTo: 'userId' },
  'knowledge.ai-conversation-archived': { privateTo: 'userId' },
};
