import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { ConversationEvent } from '@modules/knowledge/domain/conversation/conversation.events';
import { ConversationMessagesProjection } from '@modules/knowledge/projections/conversation-messages.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { answerAdded, answerId, conversationId, questionAdded, questionId, started, userId, workspaceId } from './conversation-events.fixture';

const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-27T10:00:05.000Z';
const question = {
  id: questionId,
  conversation_id: conversationId,
  workspace_id: workspaceId,
  position: 1,
  role: 'user',
  content: 'Why do exports fail?',
  function_calls: null,
  metadata: {},
  tokens_used: null,
  model: null,
  citations: null,
  created_at: at,
};
const answer = {
  id: answerId,
  conversation_id: conversationId,
  workspace_id: workspaceId,
  position: 2,
  role: 'assistant',
  content: 'Large files time out [1].',
  function_calls: answerAdded.data.functionCalls,
  metadata: { ...answerAdded.data.metadata, replyTo: questionId },
  tokens_used: 120,
  model: 'test-model',
  citations: answerAdded.data.citations,
  created_at: at,
};

describe('ConversationMessagesProjection (knowledge_ai_messages_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<ConversationEvent>(new ConversationMessagesProjection(), () => db.pool, { workspaceId, orderBy: 'position' });

  it('stores the question and the answer with its citations and retrieval, in their places', async () => {
    await spec.given([started]).when([questionAdded, answerAdded]).then([question, answer]);
  });

  it('a failed answer leaves the question with a note of why', async () => {
    const error = { kind: 'timeout', message: 'slow', retryable: true };
    await spec
      .given([started, questionAdded])
      .when([{ type: 'knowledge.ai-conversation-answer-failed', data: { conversationId, messageId: questionId, userId, error, at: later } }])
      .then([{ ...question, metadata: { error: { ...error, at: later } } }]);
  });

  it('a redelivered message changes nothing', async () => {
    await spec.given([started, questionAdded, answerAdded]).when([answerAdded]).then([question, answer]);
  });
});
