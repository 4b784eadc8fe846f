import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { AtomEvent } from '@modules/knowledge/domain/atom/atom.events';
import { AtomLinksProjection } from '@modules/knowledge/projections/atom-links.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const problemId = '0193a000-0000-7000-8000-000000002001';
const solutionId = '0193a000-0000-7000-8000-000000002002';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const linked: AtomEvent = { type: 'knowledge.atom-linked', data: { fromAtomId: solutionId, toAtomId: problemId, linkType: 'solves', strength: 0.7, at } };
const link = { id: `${solutionId}:${problemId}`, workspace_id: workspaceId, from_atom_id: solutionId, to_atom_id: problemId, link_type: 'solves', strength: 0.7, created_at: at, updated_at: at };

describe('AtomLinksProjection (knowledge_atom_links_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<AtomEvent>(new AtomLinksProjection(), () => db.pool, { workspaceId });

  it('links two atoms, one row per direction', async () => {
    const back: AtomEvent = { type: 'knowledge.atom-linked', data: { fromAtomId: problemId, toAtomId: solutionId, linkType: 'relates_to', strength: null, at } };
    await spec
      .given([])
      .when([linked, back])
      .then([{ id: `${problemId}:${solutionId}`, workspace_id: workspaceId, from_atom_id: problemId, to_atom_id: solutionId, link_type: 'relates_to', strength: null, created_at: at, updated_at: at }, link]);
  });

  it('linking again changes the type or strength, keeping when it was made', async () => {
    await spec
      .given([linked])
      .when([{ type: 'knowledge.atom-linked', data: { fromAtomId: solutionId, toAtomId: problemId, linkType: 'refines', strength: 0.2, at: later } }])
      .then([{ ...link, link_type: 'refines', strength: 0.2, updated_at: later }]);
  });

  it('unlinks; a redelivered link or unlink changes nothing', async () => {
    const unlinked: AtomEvent = { type: 'knowledge.atom-unlinked', data: { fromAtomId: solutionId, toAtomId: problemId, at: later } };
    await spec.given([linked]).when([unlinked]).then([]);
    await spec.given([linked, unlinked]).when([unlinked]).then([]);
    await spec.given([linked]).when([linked]).then([link]);
  });
});
