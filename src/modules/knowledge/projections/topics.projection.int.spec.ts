import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { TopicEvent, topicStreamId } from '@modules/knowledge/domain/topic/topic.events';
import { TopicsProjection } from '@modules/knowledge/projections/topics.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const topicId = '0193a000-0000-7000-8000-000000001001';
const atomId = '0193a000-0000-7000-8000-000000002001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const actorId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const created: TopicEvent = { type: 'knowledge.topic-created', data: { topicId, workspaceId, version: 1, name: 'Billing', description: 'Invoices', icon: null, color: '#ff0000', at } };
const updated: TopicEvent = { type: 'knowledge.topic-updated', data: { topicId, version: 2, name: 'Billing & plans', description: 'Invoices', icon: null, color: '#ff0000', changed: ['name'], at: later } };
const approved = (version: number): TopicEvent => ({ type: 'knowledge.topic-version-approved', data: { topicId, version, at: later } });
const columns = ['id', 'workspace_id', 'name', 'description', 'color', 'version', 'approved', 'approved_version', 'stream_version', 'created_by', 'archived_at', 'created_at', 'updated_at'];
const topic = {
  id: topicId,
  workspace_id: workspaceId,
  name: 'Billing',
  description: 'Invoices',
  color: '#ff0000',
  version: 1,
  approved: false,
  approved_version: null,
  stream_version: 1,
  created_by: actorId,
  archived_at: null,
  created_at: at,
  updated_at: at,
};

describe('TopicsProjection (knowledge_topics_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<TopicEvent>(new TopicsProjection(), () => db.pool, { columns, streamId: topicStreamId(topicId), workspaceId, actorId });

  it('creates version 1, not approved, its stream version the ETag', async () => {
    await spec.given([]).when([created]).then([topic]);
  });

  it('an update is a new version nobody approved yet', async () => {
    await spec.given([created, approved(1)]).when([updated]).then([{ ...topic, name: 'Billing & plans', version: 2, approved: false, approved_version: 1, stream_version: 3, updated_at: later }]);
  });

  it('approving the latest version marks the topic approved; approving an older one does not', async () => {
    await spec.given([created, updated]).when([approved(2)]).then([{ ...topic, name: 'Billing & plans', version: 2, approved: true, approved_version: 2, stream_version: 3, updated_at: later }]);
    await spec.given([created, updated]).when([approved(1)]).then([{ ...topic, name: 'Billing & plans', version: 2, approved: false, approved_version: 1, stream_version: 3, updated_at: later }]);
  });

  it('memberships move the stream version only; archiving stamps the time', async () => {
    await spec
      .given([created])
      .when([
        { type: 'knowledge.topic-atom-added', data: { topicId, atomId, position: 1, note: null, at: later } },
        { type: 'knowledge.topic-atom-removed', data: { topicId, atomId, at: later } },
      ])
      .then([{ ...topic, stream_version: 3 }]);
    await spec.given([created]).when([{ type: 'knowledge.topic-archived', data: { topicId, at: later } }]).then([{ ...topic, archived_at: later, stream_version: 2, updated_at: later }]);
  });

  it('a redelivered creation or update changes nothing', async () => {
    await spec.given([created, updated]).when([created]).then([{ ...topic, name: 'Billing & plans', version: 2, stream_version: 2, updated_at: later }]);
    await spec.given([created, updated]).when([updated]).then([{ ...topic, name: 'Billing & plans', version: 2, stream_version: 2, updated_at: later }]);
  });
});
