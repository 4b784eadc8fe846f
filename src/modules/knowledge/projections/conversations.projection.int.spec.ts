import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { ConversationEvent } from '@modules/knowledge/domain/conversation/conversation.events';
import { ConversationsProjection } from '@modules/knowledge/projections/conversations.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { answerAdded, conversationId, questionAdded, started, userId, workspaceId } from './conversation-events.fixture';

const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-27T10:00:05.000Z';
const conversation = {
  id: conversationId,
  workspace_id: workspaceId,
  user_id: userId,
  agent_id: null,
  title: 'Why do exports fail?',
  context: { scope: 'all' },
  is_active: true,
  message_count: 0,
  created_at: at,
  updated_at: at,
};

describe('ConversationsProjection (knowledge_ai_conversations_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<ConversationEvent>(new ConversationsProjection(), () => db.pool, { workspaceId });

  it('starts an active conversation', async () => {
    await spec.given([]).when([started]).then([conversation]);
  });

  it('counts the questions and answers; a failed answer is no message', async () => {
    await spec
      .given([started])
      .when([
        questionAdded,
        answerAdded,
        { type: 'knowledge.ai-conversation-answer-failed', data: { conversationId, messageId: questionAdded.data.messageId, userId, error: { kind: 'timeout', message: 'slow', retryable: true }, at: later } },
      ])
      .then([{ ...conversation, message_count: 2 }]);
  });

  it('archives it', async () => {
    await spec.given([started]).when([{ type: 'knowledge.ai-conversation-archived', data: { conversationId, userId, at: later } }]).then([{ ...conversation, is_active: false, updated_at: later }]);
  });

  it('a redelivered message is counted again: the projection relies on exactly-once delivery (inline, in the append transaction)', async () => {
    await spec.given([started, questionAdded]).when([questionAdded]).then([{ ...conversation, message_count: 2 }]);
  });
});
