import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { ConversationError, ConversationErrorCode as Code } from './conversation.errors';
import { AnswerCitation, AnswerFailure, AssistantReplyMetadata, ConversationEvent, SearchFunctionCall } from './conversation.events';

export type ConversationState =
  | { status: 'none' }
  | { status: 'active' | 'archived'; conversationId: string; workspaceId: string; userId: string; messages: number };

/** How a question was answered: with an answer (possibly "nothing found"), or not at all (the provider failed). */
export type Reply =
  | {
      kind: 'answer';
      messageId: string;
      content: string;
      citations: AnswerCitation[];
      functionCalls: SearchFunctionCall[];
      tokensUsed: number;
      model: string | null;
      metadata: AssistantReplyMetadata;
      /** When the answer was ready (the question's time is the command's `now`). */
      at: Date;
    }
  | { kind: 'failure'; error: AnswerFailure };

/** A question and what came of it, recorded together: a conversation never shows a half-recorded turn. */
export interface Turn {
  question: { messageId: string; content: string };
  reply: Reply;
}

export type ConversationCommand =
  | { kind: 'start'; conversationId: string; workspaceId: string; userId: string; turn: Turn; now: Date }
  | { kind: 'continue'; workspaceId: string; userId: string; turn: Turn; now: Date }
  | { kind: 'archive'; workspaceId: string; userId: string; now: Date };

export const TITLE_MAX_CHARS = 120;

/** The first question, on one line, cut at a word near TITLE_MAX_CHARS. */
export function conversationTitle(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  if (line.length <= TITLE_MAX_CHARS) return line;
  const cut = line.slice(0, TITLE_MAX_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_MAX_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Another workspace's or another user's conversation is "not found", never "forbidden"; so is an archived one. */
function own(s: ConversationState, workspaceId: string, userId: string) {
  if (s.status !== 'active' || s.workspaceId !== workspaceId || s.userId !== userId) {
    throw new ConversationError(Code.ConversationNotFound, 'No such conversation');
  }
  return s;
}

function turnEvents(conversationId: string, userId: string, position: number, turn: Turn, now: Date): ConversationEvent[] {
  const { question, reply } = turn;
  const asked: ConversationEvent = {
    type: 'knowledge.ai-conversation-user-message-added',
    data: { conversationId, messageId: question.messageId, userId, position, content: question.content, at: now.toISOString() },
  };
  if (reply.kind === 'failure') {
    return [asked, { type: 'knowledge.ai-conversation-answer-failed', data: { conversationId, messageId: question.messageId, userId, error: reply.error, at: now.toISOString() } }];
  }
  return [
    asked,
    {
      type: 'knowledge.ai-conversation-assistant-message-added',
      data: {
        conversationId,
        messageId: reply.messageId,
        userId,
        position: position + 1,
        replyTo: question.messageId,
        content: reply.content,
        citations: reply.citations,
        functionCalls: reply.functionCalls,
        tokensUsed: reply.tokensUsed,
        model: reply.model,
        metadata: reply.metadata,
        at: reply.at.toISOString(),
      },
    },
  ];
}

export const conversationDecider: Decider<ConversationCommand, ConversationState, ConversationEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'knowledge.ai-conversation-started':
        return { status: 'active', conversationId: e.data.conversationId, workspaceId: e.data.workspaceId, userId: e.data.userId, messages: 0 };
      case 'knowledge.ai-conversation-user-message-added':
      case 'knowledge.ai-conversation-assistant-message-added':
        return s.status === 'none' ? s : { ...s, messages: Math.max(s.messages, e.data.position) };
      case 'knowledge.ai-conversation-answer-failed':
        return s;
      case 'knowledge.ai-conversation-archived':
        return s.status === 'none' ? s : { ...s, status: 'archived' };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    switch (c.kind) {
      case 'start': {
        // A new conversation's id is generated per request: an existing stream means a reused id, whoever owns it.
        if (s.status !== 'none') throw new ConversationError(Code.ConversationNotFound, 'No such conversation');
        const started: ConversationEvent = {
          type: 'knowledge.ai-conversation-started',
          data: {
            conversationId: c.conversationId,
            workspaceId: c.workspaceId,
            userId: c.userId,
            agentId: null,
            title: conversationTitle(c.turn.question.content),
            context: {},
            at: c.now.toISOString(),
          },
        };
        return [started, ...turnEvents(c.conversationId, c.userId, 1, c.turn, c.now)];
      }
      case 'continue': {
        const conv = own(s, c.workspaceId, c.userId);
        return turnEvents(conv.conversationId, conv.userId, conv.messages + 1, c.turn, c.now);
      }
      case 'archive': {
        // Archiving twice is a no-op (a retried DELETE must not fail); other owners' conversations stay "not found".
        if (s.status === 'archived' && s.workspaceId === c.workspaceId && s.userId === c.userId) return [];
        const conv = own(s, c.workspaceId, c.userId);
        return { type: 'knowledge.ai-conversation-archived', data: { conversationId: conv.conversationId, userId: conv.userId, at: c.now.toISOString() } };
      }
      default:
        return assertNever(c);
    }
  },
};
