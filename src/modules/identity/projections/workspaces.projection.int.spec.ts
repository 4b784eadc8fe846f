import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { WorkspaceEvent } from '@modules/identity/domain/workspace/workspace.events';
import { WorkspacesProjection } from '@modules/identity/projections/workspaces.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const ownerId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const created: WorkspaceEvent = { type: 'identity.workspace-created', data: { workspaceId, name: 'Support', slug: 'support', organizationId: null, ownerId, at } };
const workspace = { id: workspaceId, name: 'Support', slug: 'support', organization_id: null, owner_id: ownerId, is_active: true, created_at: at, updated_at: null };

describe('WorkspacesProjection (identity_workspaces_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<WorkspaceEvent>(new WorkspacesProjection(), () => db.pool);

  it('creates an active workspace', async () => {
    await spec.given([]).when([created]).then([workspace]);
  });

  it('renames, changes the slug and deactivates', async () => {
    await spec
      .given([created])
      .when([
        { type: 'identity.workspace-renamed', data: { workspaceId, name: 'Customer care', at } },
        { type: 'identity.workspace-slug-changed', data: { workspaceId, slug: 'care', previousSlug: 'support', at } },
        { type: 'identity.workspace-deactivated', data: { workspaceId, at: later } },
      ])
      .then([{ ...workspace, name: 'Customer care', slug: 'care', is_active: false, updated_at: later }]);
  });

  it('membership events are not about the workspace row', async () => {
    await spec.given([created]).when([{ type: 'identity.workspace-member-added', data: { workspaceId, userId: ownerId, role: 'admin', at } }]).then([workspace]);
  });

  it('a redelivered rename changes nothing; a rename of an unknown workspace creates nothing', async () => {
    const renamed: WorkspaceEvent = { type: 'identity.workspace-renamed', data: { workspaceId, name: 'Care', at: later } };
    await spec.given([created, renamed]).when([renamed]).then([{ ...workspace, name: 'Care', updated_at: later }]);
    await spec.given([]).when([renamed]).then([]);
  });
});
