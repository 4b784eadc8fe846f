import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { TopicEvent } from '@modules/knowledge/domain/topic/topic.events';
import { TopicVersionsProjection } from '@modules/knowledge/projections/topic-versions.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const topicId = '0193a000-0000-7000-8000-000000001001';
const atomId = '0193a000-0000-7000-8000-000000002001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const editor = '0193a000-0000-7000-8000-000000000001';
const approver = '0193a000-0000-7000-8000-000000000002';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const created: TopicEvent = { type: 'knowledge.topic-created', data: { topicId, workspaceId, version: 1, name: 'Billing', description: 'Invoices', icon: null, color: null, at } };
const updated: TopicEvent = { type: 'knowledge.topic-updated', data: { topicId, version: 2, name: 'Billing & plans', description: 'Invoices', icon: null, color: null, changed: ['name'], at: later } };
const approved: TopicEvent = { type: 'knowledge.topic-version-approved', data: { topicId, version: 1, at: later } };
const version1 = {
  id: `${topicId}:1`,
  topic_id: topicId,
  workspace_id: workspaceId,
  version: 1,
  data: { name: 'Billing', description: 'Invoices', icon: null, color: null },
  changed: [],
  created_by: editor,
  approved: false,
  approved_by: null,
  created_at: at,
  approved_at: null,
};
const version2 = { ...version1, id: `${topicId}:2`, version: 2, data: { ...version1.data, name: 'Billing & plans' }, changed: ['name'], created_at: later };

describe('TopicVersionsProjection (knowledge_topic_versions_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<TopicEvent>(new TopicVersionsProjection(), () => db.pool, { workspaceId, actorId: editor, orderBy: 'version' });

  it('one row per created or updated event, with the snapshot it carries and what changed', async () => {
    await spec.given([created]).when([updated]).then([version1, version2]);
  });

  it('approval marks its own version, by whom', async () => {
    await spec.given([created, updated]).when([{ ...approved, actorId: approver }]).then([{ ...version1, approved: true, approved_by: approver, approved_at: later }, version2]);
  });

  it('memberships are not versions', async () => {
    await spec.given([created]).when([{ type: 'knowledge.topic-atom-added', data: { topicId, atomId, position: 1, note: null, at } }]).then([version1]);
  });

  it('a redelivered version keeps its row, approval included', async () => {
    await spec.given([created, approved]).when([created]).then([{ ...version1, approved: true, approved_by: editor, approved_at: later }]);
  });
});
