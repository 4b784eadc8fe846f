import { DomainEvent } from '@libs/eventsourcing/decider';
import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { IdentityEvents } from '@modules/identity/contracts';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { AnalysisMembersProjection, AnalysisUsersProjection } from './workspace-people.projection';

const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const owner = '0193a000-0000-7000-8000-000000000001';
const ana = '0193a000-0000-7000-8000-000000000002';
const at = '2026-12-03T10:00:00.000Z';

describe('analysis workspace people (its own copy of identity\'s members and names)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());

  it('analysis_users_view: the name and email from registration; a profile change renames, keeping what it does not change', async () => {
    const spec = ProjectionSpecification<DomainEvent>(new AnalysisUsersProjection(), () => db.pool, { streamId: `user-${ana}` });
    const registered = { type: IdentityEvents.UserRegistered, data: { userId: ana, email: 'ana@example.com', firstName: 'Ana', lastName: 'Souza', at } };
    await spec.given([]).when([registered]).then([{ id: ana, name: 'Ana Souza', email: 'ana@example.com' }]);
    await spec.given([registered]).when([{ type: 'identity.user-profile-updated', data: { userId: ana, changes: { lastName: 'Costa' }, at } }]).then([{ id: ana, name: 'Ana Costa', email: 'ana@example.com' }]);
    await spec.given([registered]).when([{ type: 'identity.user-profile-updated', data: { userId: ana, changes: { timezone: 'UTC' }, at } }]).then([{ id: ana, name: 'Ana Souza', email: 'ana@example.com' }]);
    // A profile change of a user it never saw registered adds no one.
    await spec.given([]).when([{ type: 'identity.user-profile-updated', data: { userId: ana, changes: { firstName: 'X' }, at } }]).then([]);
  });

  it('analysis_workspace_members_view: the creator as owner, members added with their role, role changes, removal', async () => {
    const spec = ProjectionSpecification<DomainEvent>(new AnalysisMembersProjection(), () => db.pool, { streamId: `workspace-${workspaceId}`, workspaceId });
    const created = { type: IdentityEvents.WorkspaceCreated, data: { workspaceId, ownerId: owner, name: 'Acme', at } };
    const added = { type: IdentityEvents.MemberAdded, data: { workspaceId, userId: ana, role: 'member', at } };
    const ownerRow = { id: `${workspaceId}:${owner}`, workspace_id: workspaceId, user_id: owner, role: 'owner' };
    const anaRow = { id: `${workspaceId}:${ana}`, workspace_id: workspaceId, user_id: ana, role: 'member' };
    await spec.given([]).when([created, added]).then([ownerRow, anaRow]);
    await spec.given([created, added]).when([{ type: 'identity.workspace-member-role-changed', data: { workspaceId, userId: ana, role: 'admin', at } }]).then([ownerRow, { ...anaRow, role: 'admin' }]);
    await spec.given([created, added]).when([{ type: IdentityEvents.MemberRemoved, data: { workspaceId, userId: ana, at } }]).then([ownerRow]);
  });
});
