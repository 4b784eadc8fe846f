import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { MessageTopicEvent, messageTopicsStreamId } from '@modules/knowledge/domain/topic/message-topics.decider';
import { MessageTopicsProjection } from '@modules/knowledge/projections/message-topics.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const messageId = '0193a000-0000-7000-8000-000000000c01';
const billing = '0193a000-0000-7000-8000-000000001001';
const exports = '0193a000-0000-7000-8000-000000001002';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const userId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const assigned = (topicId: string, score: number, method: 'semantic' | 'manual' = 'semantic', when = at): MessageTopicEvent => ({
  type: 'knowledge.message-topic-assigned',
  data: { messageId, topicId, score, method, at: when },
});
const row = (topicId: string, score: number, assignedBy: string | null = null) => ({
  id: `${messageId}:${topicId}`,
  workspace_id: workspaceId,
  message_id: messageId,
  topic_id: topicId,
  score,
  method: 'semantic',
  assigned_by: assignedBy,
  assigned_at: at,
});

describe('MessageTopicsProjection (knowledge_message_topics_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<MessageTopicEvent>(new MessageTopicsProjection(), () => db.pool, { workspaceId, streamId: messageTopicsStreamId(messageId) });

  it('one row per (message, topic) assigned', async () => {
    await spec.given([]).when([assigned(billing, 0.8), assigned(exports, 0.6)]).then([row(billing, 0.8), row(exports, 0.6)]);
  });

  it('a manual assignment replaces the semantic one and records who made it', async () => {
    await spec
      .given([assigned(billing, 0.8)])
      .when([{ ...assigned(billing, 1, 'manual', later), actorId: userId }])
      .then([{ ...row(billing, 1, userId), method: 'manual', assigned_at: later }]);
  });

  it('unassigning removes the row; a redelivered assignment changes nothing', async () => {
    await spec
      .given([assigned(billing, 0.8), assigned(exports, 0.6)])
      .when([{ type: 'knowledge.message-topic-unassigned', data: { messageId, topicId: exports, method: 'semantic', reason: 'message-deleted', at: later } }])
      .then([row(billing, 0.8)]);
    const first = assigned(billing, 0.8);
    await spec.given([first]).when([first]).then([row(billing, 0.8)]);
  });
});
