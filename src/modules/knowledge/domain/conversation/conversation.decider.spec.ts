import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { ConversationCommand, conversationDecider, conversationTitle, Turn } from './conversation.decider';
import { ConversationError, ConversationErrorCode as Code } from './conversation.errors';
import { ConversationEvent } from './conversation.events';

const spec = DeciderSpecification(conversationDecider);
const now = new Date('2026-11-27T10:00:00Z');
const answeredAt = new Date('2026-11-27T10:00:02Z');
const at = now.toISOString();
const ws = 'w1';
const user = 'u1';

const search = { name: 'search' as const, arguments: { q: 'sso', mode: 'hybrid' as const, limit: 8 }, result: { chunkIds: ['c1'], discarded: 0 } };
const citation = { n: 1, messageId: 'm1', externalId: 'x1', chunkId: 'c1', text: 'SSO ships in May', sourceKind: 'slack', channelName: 'product', sentAt: at, link: { api: '/m1', external: null }, score: 0.5 };
const answered = (q: string, qid: string, aid: string): Turn => ({
  question: { messageId: qid, content: q },
  reply: {
    kind: 'answer',
    messageId: aid,
    content: 'SSO ships in May [1].',
    citations: [citation],
    functionCalls: [search],
    tokensUsed: 42,
    model: 'offline-extractive',
    metadata: { grounded: true, latencyMs: 5, provider: 'offline', promptTokens: 30, completionTokens: 12 },
    at: answeredAt,
  },
});
const failed = (q: string, qid: string): Turn => ({ question: { messageId: qid, content: q }, reply: { kind: 'failure', error: { kind: 'rate_limited', message: '429', retryable: true } } });

const start: ConversationCommand = { kind: 'start', conversationId: 'c', workspaceId: ws, userId: user, turn: answered('When does SSO ship?', 'q1', 'a1'), now };
const started: ConversationEvent = { type: 'knowledge.ai-conversation-started', data: { conversationId: 'c', workspaceId: ws, userId: user, agentId: null, title: 'When does SSO ship?', context: {}, at } };
const asked = (messageId: string, content: string, position: number): ConversationEvent => ({
  type: 'knowledge.ai-conversation-user-message-added',
  data: { conversationId: 'c', messageId, userId: user, position, content, at },
});
const answer = (messageId: string, replyTo: string, position: number): ConversationEvent => ({
  type: 'knowledge.ai-conversation-assistant-message-added',
  data: {
    conversationId: 'c',
    messageId,
    userId: user,
    position,
    replyTo,
    content: 'SSO ships in May [1].',
    citations: [citation],
    functionCalls: [search],
    tokensUsed: 42,
    model: 'offline-extractive',
    metadata: { grounded: true, latencyMs: 5, provider: 'offline', promptTokens: 30, completionTokens: 12 },
    at: answeredAt.toISOString(),
  },
});
const firstTurn = [started, asked('q1', 'When does SSO ship?', 1), answer('a1', 'q1', 2)];
const notFound = (e: ConversationError) => expect(e.code).toBe(Code.ConversationNotFound);

describe('conversation decider', () => {
  it('starts a conversation with its first turn: titled by the question, the question then its answer', () => {
    spec.given([]).when(start).then(firstTurn);
  });

  it('continues with the next turn, placed after the messages so far', () => {
    spec
      .given(firstTurn)
      .when({ kind: 'continue', workspaceId: ws, userId: user, turn: answered('And its price?', 'q2', 'a2'), now })
      .then([asked('q2', 'And its price?', 3), answer('a2', 'q2', 4)]);
  });

  it('keeps a question the provider failed to answer, with the failure, and places the next turn after it', () => {
    const failure: ConversationEvent = { type: 'knowledge.ai-conversation-answer-failed', data: { conversationId: 'c', messageId: 'q2', userId: user, error: { kind: 'rate_limited', message: '429', retryable: true }, at } };
    spec.given(firstTurn).when({ kind: 'continue', workspaceId: ws, userId: user, turn: failed('And its price?', 'q2'), now }).then([asked('q2', 'And its price?', 3), failure]);
    spec
      .given([...firstTurn, asked('q2', 'And its price?', 3), failure])
      .when({ kind: 'continue', workspaceId: ws, userId: user, turn: answered('And its price?', 'q3', 'a3'), now })
      .then([asked('q3', 'And its price?', 4), answer('a3', 'q3', 5)]);
  });

  it("refuses to continue another user's, another workspace's, an archived or an unknown conversation, all as not found", () => {
    const turn = answered('x', 'q2', 'a2');
    spec.given(firstTurn).when({ kind: 'continue', workspaceId: ws, userId: 'mallory', turn, now }).thenThrows(ConversationError, notFound);
    spec.given(firstTurn).when({ kind: 'continue', workspaceId: 'w2', userId: user, turn, now }).thenThrows(ConversationError, notFound);
    spec.given([]).when({ kind: 'continue', workspaceId: ws, userId: user, turn, now }).thenThrows(ConversationError, notFound);
    const archived: ConversationEvent = { type: 'knowledge.ai-conversation-archived', data: { conversationId: 'c', userId: user, at } };
    spec.given([...firstTurn, archived]).when({ kind: 'continue', workspaceId: ws, userId: user, turn, now }).thenThrows(ConversationError, notFound);
  });

  it('never starts over an existing stream', () => {
    spec.given(firstTurn).when(start).thenThrows(ConversationError, notFound);
  });

  it('archives for its owner only, once (archiving again changes nothing)', () => {
    const archived: ConversationEvent = { type: 'knowledge.ai-conversation-archived', data: { conversationId: 'c', userId: user, at } };
    spec.given(firstTurn).when({ kind: 'archive', workspaceId: ws, userId: user, now }).then([archived]);
    spec.given([...firstTurn, archived]).when({ kind: 'archive', workspaceId: ws, userId: user, now }).thenNothingHappened();
    spec.given(firstTurn).when({ kind: 'archive', workspaceId: ws, userId: 'mallory', now }).thenThrows(ConversationError, notFound);
    spec.given([...firstTurn, archived]).when({ kind: 'archive', workspaceId: ws, userId: 'mallory', now }).thenThrows(ConversationError, notFound);
    spec.given([]).when({ kind: 'archive', workspaceId: ws, userId: user, now }).thenThrows(ConversationError, notFound);
  });
});

describe('conversationTitle', () => {
  it('is the question on one line', () => {
    expect(conversationTitle('  What did\n  customers say\tabout SSO?  ')).toBe('What did customers say about SSO?');
  });

  it('cuts a long question at a word, marked with an ellipsis, within 120 characters', () => {
    const long = `Could you summarise ${'everything our enterprise customers have said about single sign-on '.repeat(4)}`;
    const title = conversationTitle(long);
    expect(title.length).toBeLessThanOrEqual(120);
    expect(title.endsWith('…')).toBe(true);
    expect(long.startsWith(title.slice(0, -1))).toBe(true);
    expect(title.slice(0, -1)).not.toMatch(/\s$/);
  });
});
