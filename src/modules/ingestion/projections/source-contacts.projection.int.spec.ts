import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { SourceContactEvent } from '@modules/ingestion/domain/conversation.events';
import { SourceContactsProjection } from '@modules/ingestion/projections/source-contacts.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

type SubjectErased = { type: 'privacy.subject-erased'; data: { subjectId: string } };

const contactId = '0193a000-0000-7000-8000-000000000e01';
const sourceId = '0193a000-0000-7000-8000-000000000a01';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const seen = (name: string, seenAt: string): SourceContactEvent => ({
  type: 'ingestion.source-contact-seen',
  data: {
    contactId,
    subjectId: `source-contact:${contactId}`,
    sourceId,
    externalId: '9',
    name,
    email: 'bob@example.com',
    phone: '+15550100',
    identifier: 'bob',
    customAttributes: { plan: 'pro' },
    raw: { id: 9 },
    seenAt,
  },
});
const contact = {
  id: contactId,
  workspace_id: workspaceId,
  source_id: sourceId,
  subject_id: `source-contact:${contactId}`,
  external_id: '9',
  name: 'Bob',
  email: 'bob@example.com',
  phone: '+15550100',
  identifier: 'bob',
  custom_attributes: { plan: 'pro' },
  raw: { id: 9 },
  created_at: at,
  updated_at: at,
};

describe('SourceContactsProjection (ingestion_source_contacts_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<SourceContactEvent | SubjectErased>(new SourceContactsProjection(), () => db.pool, { workspaceId });

  it('records a contact the first time it is seen, and refreshes it later', async () => {
    await spec.given([]).when([seen('Bob', at)]).then([contact]);
    await spec.given([seen('Bob', at)]).when([seen('Robert', later)]).then([{ ...contact, name: 'Robert', updated_at: later }]);
  });

  it('forgets the person when the contact is erased; users and other subjects are not ours', async () => {
    const erasedAt = new Date('2026-12-01T00:00:00.000Z');
    await spec
      .given([seen('Bob', at)])
      .when([
        { type: 'privacy.subject-erased', data: { subjectId: `source-contact:${contactId}` }, recordedAt: erasedAt },
        { type: 'privacy.subject-erased', data: { subjectId: contactId } },
      ])
      .then([{ ...contact, name: '[erased]', email: null, phone: null, identifier: null, raw: null, updated_at: erasedAt.toISOString() }]);
  });

  it('a redelivered sighting changes nothing', async () => {
    const again = seen('Robert', later);
    await spec.given([seen('Bob', at), again]).when([again]).then([{ ...contact, name: 'Robert', updated_at: later }]);
  });
});
