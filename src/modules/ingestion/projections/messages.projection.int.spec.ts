import { GivenEvent, ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { MessageEvent, MessageIngestedData } from '@modules/ingestion/domain/message/message.events';
import { MessagesProjection } from '@modules/ingestion/projections/messages.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const messageId = '0193a000-0000-7000-8000-000000000c01';
const sourceId = '0193a000-0000-7000-8000-000000000a01';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const sentAt = '2026-11-27T09:00:00.000Z';
const recordedAt = new Date('2026-11-27T10:00:00.000Z');
const later = new Date('2026-11-28T10:00:00.000Z');
const data: MessageIngestedData = {
  messageId,
  sourceId,
  sourceKind: 'slack',
  externalId: 'C1:1700000000.0001',
  content: 'The export fails on large files',
  sentAt,
  channelId: 'C1',
  channelName: 'support',
  threadId: null,
  isReply: false,
  conversationId: null,
  authorSubjectId: 'author:0193a000-0000-5000-8000-000000000001',
  author: { name: 'Ann', email: null, externalId: 'U1' },
  title: null,
  to: [],
  cc: [],
  email: null,
  metadata: { reactions: 2 },
  raw: { ts: '1700000000.0001' },
  importJobId: null,
};
const ingested: MessageEvent = { type: 'ingestion.message-ingested', data };
const columns = ['id', 'workspace_id', 'content', 'sent_at', 'author_name', 'metadata', 'raw', 'processing_state', 'noise_classification', 'importance_score', 'edited_at', 'deleted_at', 'processed_at', 'created_at', 'updated_at'];
const message = {
  id: messageId,
  workspace_id: workspaceId,
  content: 'The export fails on large files',
  sent_at: sentAt,
  author_name: 'Ann',
  metadata: { reactions: 2 },
  raw: { ts: '1700000000.0001' },
  processing_state: 'pending',
  noise_classification: null,
  importance_score: null,
  edited_at: null,
  deleted_at: null,
  processed_at: null,
  created_at: recordedAt.toISOString(),
  updated_at: null,
};

describe('MessagesProjection (ingestion_messages_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<MessageEvent>(new MessagesProjection(), () => db.pool, { columns, workspaceId, recordedAt });

  it('stores an ingested message in its workspace, pending classification', async () => {
    await spec.given([]).when([ingested]).then([message]);
  });

  it('an edit replaces the content; a classification marks it processed', async () => {
    const classifiedAt = '2026-11-27T10:01:00.000Z';
    await spec
      .given([ingested])
      .when([
        { type: 'ingestion.message-edited', data: { messageId, content: 'The export fails on files over 1 GB', editedAt: '2026-11-27T09:30:00.000Z' }, recordedAt: later },
        { type: 'ingestion.message-classified', data: { messageId, classification: 'signal', factors: { length: 0.4 }, importance: 0.75, classifiedAt }, recordedAt: later },
      ])
      .then([
        {
          ...message,
          content: 'The export fails on files over 1 GB',
          edited_at: '2026-11-27T09:30:00.000Z',
          processing_state: 'processed',
          noise_classification: 'signal',
          importance_score: 0.75,
          processed_at: classifiedAt,
          updated_at: later.toISOString(),
        },
      ]);
  });

  it('a deleted message stays deleted when it is classified afterwards', async () => {
    const deletedAt = '2026-11-27T09:45:00.000Z';
    await spec
      .given([ingested, { type: 'ingestion.message-deleted', data: { messageId, deletedAt }, recordedAt: later }])
      .when([{ type: 'ingestion.message-classified', data: { messageId, classification: 'noise', factors: {}, importance: 0.1, classifiedAt: deletedAt }, recordedAt: later }])
      .then([{ ...message, processing_state: 'deleted', deleted_at: deletedAt, noise_classification: 'noise', importance_score: 0.1, processed_at: deletedAt, updated_at: later.toISOString() }]);
  });

  it('a redelivered ingestion keeps the stored row (and what happened to it since)', async () => {
    const edited: GivenEvent<MessageEvent> = { type: 'ingestion.message-edited', data: { messageId, content: 'edited', editedAt: sentAt }, recordedAt: later };
    await spec.given([ingested, edited]).when([ingested]).then([{ ...message, content: 'edited', edited_at: sentAt, updated_at: later.toISOString() }]);
  });

  it('events of a message it never stored create nothing', async () => {
    await spec.given([]).when([{ type: 'ingestion.message-deleted', data: { messageId, deletedAt: sentAt } }]).then([]);
  });
});
