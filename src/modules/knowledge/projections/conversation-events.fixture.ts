import { ConversationEvent } from '@modules/knowledge/domain/conversation/conversation.events';

/** One Ask exchange, shared by the conversation and message projection specs. */
export const conversationId = '0193a000-0000-7000-8000-000000003001';
export const questionId = '0193a000-0000-7000-8000-000000003002';
export const answerId = '0193a000-0000-7000-8000-000000003003';
export const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
export const userId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';

export const started: Extract<ConversationEvent, { type: 'knowledge.ai-conversation-started' }> = {
  type: 'knowledge.ai-conversation-started',
  data: { conversationId, workspaceId, userId, agentId: null, title: 'Why do exports fail?', context: { scope: 'all' }, at },
};
export const questionAdded: Extract<ConversationEvent, { type: 'knowledge.ai-conversation-user-message-added' }> = {
  type: 'knowledge.ai-conversation-user-message-added',
  data: { conversationId, messageId: questionId, userId, position: 1, content: 'Why do exports fail?', at },
};
export const answerAdded: Extract<ConversationEvent, { type: 'knowledge.ai-conversation-assistant-message-added' }> = {
  type: 'knowledge.ai-conversation-assistant-message-added',
  data: {
    conversationId,
    messageId: answerId,
    userId,
    position: 2,
    replyTo: questionId,
    content: 'Large files time out [1].',
    citations: [
      {
        n: 1,
        messageId: '0193a000-0000-7000-8000-000000000c01',
        externalId: 'C1:1',
        chunkId: 'chunk-1',
        text: 'The export fails on large files',
        sourceKind: 'slack',
        channelName: 'support',
        sentAt: '2026-11-27T09:00:00.000Z',
        link: { api: '/messages/1', external: null },
        score: 0.9,
      },
    ],
    functionCalls: [{ name: 'search', arguments: { q: 'exports fail', mode: 'hybrid', limit: 8 }, result: { chunkIds: ['chunk-1'], discarded: 0 } }],
    tokensUsed: 120,
    model: 'test-model',
    metadata: { grounded: true, latencyMs: 900, provider: 'test', promptTokens: 100, completionTokens: 20 },
    at,
  },
};
