import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { AtomEvent, atomStreamId } from '@modules/knowledge/domain/atom/atom.events';
import { AtomsProjection } from '@modules/knowledge/projections/atoms.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const atomId = '0193a000-0000-7000-8000-000000002001';
const otherAtomId = '0193a000-0000-7000-8000-000000002002';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const actorId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const created: AtomEvent = {
  type: 'knowledge.atom-created',
  data: { atomId, workspaceId, version: 1, type: 'problem', title: 'Export fails', content: 'Large files time out', confidence: 0.8, meta: { source: 'slack' }, at },
};
const updated: AtomEvent = {
  type: 'knowledge.atom-updated',
  data: { atomId, version: 2, type: 'problem', title: 'Export fails over 1 GB', content: 'Large files time out', confidence: 0.9, meta: { source: 'slack' }, changed: ['title', 'confidence'], at: later },
};
const approved = (version: number): AtomEvent => ({ type: 'knowledge.atom-version-approved', data: { atomId, version, at: later } });
const columns = ['id', 'workspace_id', 'type', 'title', 'content', 'confidence', 'user_approved', 'approved_version', 'meta', 'version', 'stream_version', 'created_by', 'archived_at', 'created_at', 'updated_at'];
const atom = {
  id: atomId,
  workspace_id: workspaceId,
  type: 'problem',
  title: 'Export fails',
  content: 'Large files time out',
  confidence: 0.8,
  user_approved: false,
  approved_version: null,
  meta: { source: 'slack' },
  version: 1,
  stream_version: 1,
  created_by: actorId,
  archived_at: null,
  created_at: at,
  updated_at: at,
};
const atomV2 = { ...atom, title: 'Export fails over 1 GB', confidence: 0.9, version: 2, stream_version: 2, updated_at: later };

describe('AtomsProjection (knowledge_atoms_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<AtomEvent>(new AtomsProjection(), () => db.pool, { columns, streamId: atomStreamId(atomId), workspaceId, actorId });

  it('creates version 1, not approved', async () => {
    await spec.given([]).when([created]).then([atom]);
  });

  it('an edit is a new version nobody approved yet', async () => {
    await spec.given([created, approved(1)]).when([updated]).then([{ ...atomV2, approved_version: 1, stream_version: 3 }]);
  });

  it('approving the latest version marks the atom approved; approving an older one does not', async () => {
    await spec.given([created, updated]).when([approved(2)]).then([{ ...atomV2, user_approved: true, approved_version: 2, stream_version: 3 }]);
    await spec.given([created, updated]).when([approved(1)]).then([{ ...atomV2, approved_version: 1, stream_version: 3 }]);
  });

  it('links from the atom move its stream version only; archiving stamps the time', async () => {
    await spec
      .given([created])
      .when([
        { type: 'knowledge.atom-linked', data: { fromAtomId: atomId, toAtomId: otherAtomId, linkType: 'solves', strength: 0.5, at: later } },
        { type: 'knowledge.atom-unlinked', data: { fromAtomId: atomId, toAtomId: otherAtomId, at: later } },
      ])
      .then([{ ...atom, stream_version: 3 }]);
    await spec.given([created]).when([{ type: 'knowledge.atom-archived', data: { atomId, at: later } }]).then([{ ...atom, archived_at: later, stream_version: 2, updated_at: later }]);
  });

  it('a redelivered creation or update changes nothing', async () => {
    await spec.given([created, updated]).when([created]).then([atomV2]);
    await spec.given([created, updated]).when([updated]).then([atomV2]);
  });
});
