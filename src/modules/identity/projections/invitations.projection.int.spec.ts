import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { WorkspaceEvent } from '@modules/identity/domain/workspace/workspace.events';
import { InvitationsProjection } from '@modules/identity/projections/invitations.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

type SubjectErased = { type: 'privacy.subject-erased'; data: { subjectId: string } };

const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const invitationId = '0193a000-0000-7000-8000-0000000000c1';
const inviterId = '0193a000-0000-7000-8000-000000000001';
const inviteeId = '0193a000-0000-7000-8000-000000000002';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const expiresAt = '2026-12-04T10:00:00.000Z';
const invited: WorkspaceEvent = {
  type: 'identity.workspace-invitation-created',
  data: { workspaceId, invitationId, email: 'bob@example.com', role: 'member', tokenHash: 'th', expiresAt, invitedBy: inviterId, at },
};
const invitation = {
  id: invitationId,
  workspace_id: workspaceId,
  email: 'bob@example.com',
  role: 'member',
  token_hash: 'th',
  status: 'pending',
  invited_by: inviterId,
  accepted_by: null,
  expires_at: expiresAt,
  created_at: at,
  updated_at: at,
};

describe('InvitationsProjection (identity_invitations_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<WorkspaceEvent | SubjectErased>(new InvitationsProjection(), () => db.pool);

  it('records a pending invitation', async () => {
    await spec.given([]).when([invited]).then([invitation]);
  });

  it('accepts or revokes it', async () => {
    await spec
      .given([invited])
      .when([{ type: 'identity.workspace-invitation-accepted', data: { workspaceId, invitationId, userId: inviteeId, at: later } }])
      .then([{ ...invitation, status: 'accepted', accepted_by: inviteeId, updated_at: later }]);
    await spec
      .given([invited])
      .when([{ type: 'identity.workspace-invitation-revoked', data: { workspaceId, invitationId, at: later } }])
      .then([{ ...invitation, status: 'revoked', updated_at: later }]);
  });

  it("erases the invitee's email when the invitation (its own subject) is erased", async () => {
    const erasedAt = new Date('2026-12-01T00:00:00.000Z');
    await spec
      .given([invited])
      .when([
        { type: 'privacy.subject-erased', data: { subjectId: invitationId }, recordedAt: erasedAt },
        { type: 'privacy.subject-erased', data: { subjectId: 'source-contact:x' } },
      ])
      .then([{ ...invitation, email: '[erased]', updated_at: erasedAt.toISOString() }]);
  });

  it('a redelivered acceptance changes nothing', async () => {
    const accepted: WorkspaceEvent = { type: 'identity.workspace-invitation-accepted', data: { workspaceId, invitationId, userId: inviteeId, at: later } };
    await spec.given([invited, accepted]).when([accepted]).then([{ ...invitation, status: 'accepted', accepted_by: inviteeId, updated_at: later }]);
  });
});
