import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { AtomEvent } from '@modules/knowledge/domain/atom/atom.events';
import { AtomVersionsProjection } from '@modules/knowledge/projections/atom-versions.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const atomId = '0193a000-0000-7000-8000-000000002001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const editor = '0193a000-0000-7000-8000-000000000001';
const approver = '0193a000-0000-7000-8000-000000000002';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const snapshot = { type: 'problem' as const, title: 'Export fails', content: 'Large files time out', confidence: 0.8, meta: {} };
const created: AtomEvent = { type: 'knowledge.atom-created', data: { atomId, workspaceId, version: 1, ...snapshot, at } };
const updated: AtomEvent = { type: 'knowledge.atom-updated', data: { atomId, version: 2, ...snapshot, confidence: null, changed: ['confidence'], at: later } };
const approved: AtomEvent = { type: 'knowledge.atom-version-approved', data: { atomId, version: 2, at: later } };
const version1 = {
  id: `${atomId}:1`,
  atom_id: atomId,
  workspace_id: workspaceId,
  version: 1,
  data: snapshot,
  changed: [],
  created_by: editor,
  approved: false,
  approved_by: null,
  created_at: at,
  approved_at: null,
};
const version2 = { ...version1, id: `${atomId}:2`, version: 2, data: { ...snapshot, confidence: null }, changed: ['confidence'], created_at: later };

describe('AtomVersionsProjection (knowledge_atom_versions_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<AtomEvent>(new AtomVersionsProjection(), () => db.pool, { workspaceId, actorId: editor, orderBy: 'version' });

  it('one row per created or updated event, with the snapshot it carries and what changed', async () => {
    await spec.given([created]).when([updated]).then([version1, version2]);
  });

  it('approval marks its own version, by whom', async () => {
    await spec.given([created, updated]).when([{ ...approved, actorId: approver }]).then([version1, { ...version2, approved: true, approved_by: approver, approved_at: later }]);
  });

  it('an approval of a version it never saw creates nothing', async () => {
    await spec.given([]).when([approved]).then([]);
  });

  it('a redelivered version keeps its row, approval included', async () => {
    await spec.given([created, updated, approved]).when([updated]).then([version1, { ...version2, approved: true, approved_by: editor, approved_at: later }]);
  });
});
