import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { WorkspaceEvent } from '@modules/identity/domain/workspace/workspace.events';
import { WorkspaceMembersProjection } from '@modules/identity/projections/workspace-members.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const ownerId = '0193a000-0000-7000-8000-000000000001';
const memberId = '0193a000-0000-7000-8000-000000000002';
const invitationId = '0193a000-0000-7000-8000-0000000000c1';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const created: WorkspaceEvent = { type: 'identity.workspace-created', data: { workspaceId, name: 'Support', slug: 'support', organizationId: null, ownerId, at } };
const added: WorkspaceEvent = { type: 'identity.workspace-member-added', data: { workspaceId, userId: memberId, role: 'member', invitationId, at } };
const owner = { id: `${workspaceId}:${ownerId}`, workspace_id: workspaceId, user_id: ownerId, role: 'owner', invitation_id: null, joined_at: at, updated_at: at };
const member = { id: `${workspaceId}:${memberId}`, workspace_id: workspaceId, user_id: memberId, role: 'member', invitation_id: invitationId, joined_at: at, updated_at: at };

describe('WorkspaceMembersProjection (identity_workspace_members_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<WorkspaceEvent>(new WorkspaceMembersProjection(), () => db.pool, { orderBy: 'role DESC' });

  it('makes the creator the owner, one row per (workspace, user)', async () => {
    await spec.given([]).when([created]).then([owner]);
  });

  it('adds a member (from an invitation) and changes their role', async () => {
    await spec.given([created]).when([added]).then([owner, member]);
    await spec
      .given([created, added])
      .when([{ type: 'identity.workspace-member-role-changed', data: { workspaceId, userId: memberId, role: 'admin', previousRole: 'member', at: later } }])
      .then([owner, { ...member, role: 'admin', updated_at: later }]);
  });

  it('removes a member', async () => {
    await spec.given([created, added]).when([{ type: 'identity.workspace-member-removed', data: { workspaceId, userId: memberId, at: later } }]).then([owner]);
  });

  it('a redelivered addition changes nothing', async () => {
    await spec.given([created, added]).when([added]).then([owner, member]);
  });
});
