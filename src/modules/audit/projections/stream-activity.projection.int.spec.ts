import { DomainEvent } from '@libs/eventsourcing/decider';
import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { StreamActivityProjection } from '@modules/audit/projections/stream-activity.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const ann = '0193a000-0000-7000-8000-000000000001';
const bob = '0193a000-0000-7000-8000-000000000002';
const t1 = new Date('2026-11-27T10:00:00.000Z');
const t2 = new Date('2026-11-27T11:00:00.000Z');
const t3 = new Date('2026-11-27T12:00:00.000Z');
// Any event type: the projection follows them all.
const event = (type: string): DomainEvent => ({ type, data: {} });
const columns = ['stream_id', 'stream_type', 'workspace_id', 'version::int AS version', 'first_recorded_at', 'last_recorded_at', 'last_event_type', 'actor_ids'];

describe('StreamActivityProjection (audit_stream_activity_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification(new StreamActivityProjection(), () => db.pool, { columns, streamId: 'topic-1', workspaceId });

  it('one row per stream: its version, first and last activity, and who touched it', async () => {
    await spec
      .given([{ ...event('knowledge.topic-created'), streamType: 'topic', actorId: ann, recordedAt: t1 }])
      .when([
        { ...event('knowledge.topic-updated'), streamType: 'topic', actorId: bob, recordedAt: t2 },
        { ...event('knowledge.topic-archived'), streamType: 'topic', actorId: ann, recordedAt: t3 },
        { ...event('identity.user-registered'), streamId: 'user-1', streamType: 'user', workspaceId: null, actorId: null, recordedAt: t1 },
      ])
      .then([
        {
          stream_id: 'topic-1',
          stream_type: 'topic',
          workspace_id: workspaceId,
          version: 3,
          first_recorded_at: t1.toISOString(),
          last_recorded_at: t3.toISOString(),
          last_event_type: 'knowledge.topic-archived',
          actor_ids: [ann, bob],
        },
        {
          stream_id: 'user-1',
          stream_type: 'user',
          workspace_id: null,
          version: 1,
          first_recorded_at: t1.toISOString(),
          last_recorded_at: t1.toISOString(),
          last_event_type: 'identity.user-registered',
          actor_ids: [],
        },
      ]);
  });

  it('a redelivered event leaves the version and the actors as they are', async () => {
    const created = { ...event('knowledge.topic-created'), streamType: 'topic', actorId: ann, recordedAt: t1 };
    const updated = { ...event('knowledge.topic-updated'), streamType: 'topic', actorId: ann, recordedAt: t2 };
    await spec
      .given([created, updated])
      .when([updated])
      .then([
        {
          stream_id: 'topic-1',
          stream_type: 'topic',
          workspace_id: workspaceId,
          version: 2,
          first_recorded_at: t1.toISOString(),
          last_recorded_at: t2.toISOString(),
          last_event_type: 'knowledge.topic-updated',
          actor_ids: [ann],
        },
      ]);
  });
});
