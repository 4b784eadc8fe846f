import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { ConversationEvent } from '@modules/ingestion/domain/conversation.events';
import { ConversationsProjection } from '@modules/ingestion/projections/conversations.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const conversationId = '0193a000-0000-7000-8000-000000000d01';
const sourceId = '0193a000-0000-7000-8000-000000000a01';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const updated = (status: string, updatedAt: string): ConversationEvent => ({
  type: 'ingestion.conversation-updated',
  data: { conversationId, sourceId, externalId: '42', status, inboxId: '7', assigneeId: null, contactExternalId: '9', raw: { id: 42, status }, updatedAt },
});
const conversation = {
  id: conversationId,
  workspace_id: workspaceId,
  source_id: sourceId,
  external_id: '42',
  status: 'open',
  inbox_id: '7',
  assignee_id: null,
  contact_external_id: '9',
  raw: { id: 42, status: 'open' },
  created_at: at,
  updated_at: at,
};

describe('ConversationsProjection (ingestion_conversations_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<ConversationEvent>(new ConversationsProjection(), () => db.pool, { workspaceId });

  it('the first update creates the conversation, raw payload kept', async () => {
    await spec.given([]).when([updated('open', at)]).then([conversation]);
  });

  it('later updates replace the state and keep the creation time', async () => {
    await spec.given([updated('open', at)]).when([updated('resolved', later)]).then([{ ...conversation, status: 'resolved', raw: { id: 42, status: 'resolved' }, updated_at: later }]);
  });

  it('a redelivered update changes nothing', async () => {
    const resolved = updated('resolved', later);
    await spec.given([updated('open', at), resolved]).when([resolved]).then([{ ...conversation, status: 'resolved', raw: { id: 42, status: 'resolved' }, updated_at: later }]);
  });
});
