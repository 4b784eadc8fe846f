import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { TopicEvent } from '@modules/knowledge/domain/topic/topic.events';
import { TopicAtomsProjection } from '@modules/knowledge/projections/topic-atoms.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const topicId = '0193a000-0000-7000-8000-000000001001';
const atomId = '0193a000-0000-7000-8000-000000002001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const added: TopicEvent = { type: 'knowledge.topic-atom-added', data: { topicId, atomId, position: 1, note: 'root cause', at } };
const membership = { id: `${topicId}:${atomId}`, workspace_id: workspaceId, topic_id: topicId, atom_id: atomId, position: 1, note: 'root cause', created_at: at, updated_at: at };

describe('TopicAtomsProjection (knowledge_topic_atoms_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<TopicEvent>(new TopicAtomsProjection(), () => db.pool, { workspaceId });

  it('adds an atom to a topic, one row per (topic, atom)', async () => {
    await spec.given([]).when([added]).then([membership]);
  });

  it('adding it again moves it or changes its note, keeping when it joined', async () => {
    await spec
      .given([added])
      .when([{ type: 'knowledge.topic-atom-added', data: { topicId, atomId, position: 3, note: null, at: later } }])
      .then([{ ...membership, position: 3, note: null, updated_at: later }]);
  });

  it('removes it; a redelivered removal changes nothing', async () => {
    const removed: TopicEvent = { type: 'knowledge.topic-atom-removed', data: { topicId, atomId, at: later } };
    await spec.given([added]).when([removed]).then([]);
    await spec.given([added, removed]).when([removed]).then([]);
  });

  it('topic versions are not memberships; a redelivered addition changes nothing', async () => {
    await spec
      .given([added])
      .when([{ type: 'knowledge.topic-archived', data: { topicId, at: later } }, added])
      .then([membership]);
  });
});
