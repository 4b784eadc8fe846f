import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { workspaceDecider } from './workspace.decider';
import { WorkspaceEvent } from './workspace.events';

const spec = DeciderSpecification(workspaceDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const created: WorkspaceEvent = { type: 'identity.workspace-created', data: { workspaceId: 'w', name: 'W', slug: 'w', organizationId: null, ownerId: 'o', at } };
const bobAdmin: WorkspaceEvent = { type: 'identity.workspace-member-added', data: { workspaceId: 'w', userId: 'b', role: 'admin', at } };
const code = (c: Code) => (e: IdentityError) => expect(e.code).toBe(c);

describe('workspace decider', () => {
  it('an admin adds members below owner', () => {
    spec.given([created, bobAdmin]).when({ kind: 'add-member', userId: 'c', role: 'member', actorRole: 'admin', now }).then([
      { type: 'identity.workspace-member-added', data: { workspaceId: 'w', userId: 'c', role: 'member', at } },
    ]);
  });

  it('only an owner makes owners; a member manages nobody', () => {
    spec.given([created, bobAdmin]).when({ kind: 'add-member', userId: 'c', role: 'owner', actorRole: 'admin', now }).thenThrows(IdentityError, code(Code.RoleNotAllowed));
    spec.given([created]).when({ kind: 'add-member', userId: 'c', role: 'viewer', actorRole: 'member', now }).thenThrows(IdentityError, code(Code.RoleNotAllowed));
  });

  it('never loses its last owner, by removal or demotion; a second owner makes it possible', () => {
    spec.given([created]).when({ kind: 'remove-member', userId: 'o', actorId: 'o', actorRole: 'owner', now }).thenThrows(IdentityError, code(Code.LastOwner));
    spec.given([created]).when({ kind: 'change-role', userId: 'o', role: 'admin', actorRole: 'owner', now }).thenThrows(IdentityError, code(Code.LastOwner));
    const second: WorkspaceEvent = { type: 'identity.workspace-member-role-changed', data: { workspaceId: 'w', userId: 'b', role: 'owner', previousRole: 'admin', at } };
    spec.given([created, bobAdmin, second]).when({ kind: 'remove-member', userId: 'o', actorId: 'o', actorRole: 'owner', now }).then([
      { type: 'identity.workspace-member-removed', data: { workspaceId: 'w', userId: 'o', at } },
    ]);
  });

  it('anyone may leave, but removing another takes an admin', () => {
    const viewer: WorkspaceEvent = { type: 'identity.workspace-member-added', data: { workspaceId: 'w', userId: 'v', role: 'viewer', at } };
    spec.given([created, viewer]).when({ kind: 'remove-member', userId: 'v', actorId: 'v', actorRole: 'viewer', now }).then([
      { type: 'identity.workspace-member-removed', data: { workspaceId: 'w', userId: 'v', at } },
    ]);
    spec.given([created, viewer, bobAdmin]).when({ kind: 'remove-member', userId: 'b', actorId: 'v', actorRole: 'viewer', now }).thenThrows(IdentityError, code(Code.RoleNotAllowed));
  });

  it('an invitation is accepted once, by its email, before it expires', () => {
    const invited: WorkspaceEvent = {
      type: 'identity.workspace-invitation-created',
      data: { workspaceId: 'w', invitationId: 'i', email: 'c@x.io', role: 'member', tokenHash: 'h', expiresAt: '2026-11-28T10:00:00.000Z', invitedBy: 'o', at },
    };
    const accept = { kind: 'accept-invitation' as const, invitationId: 'i', tokenHash: 'h', userId: 'c', email: 'C@x.io', emailVerified: true, now };
    spec.given([created, invited]).when(accept).then([
      { type: 'identity.workspace-invitation-accepted', data: { workspaceId: 'w', invitationId: 'i', userId: 'c', at } },
      { type: 'identity.workspace-member-added', data: { workspaceId: 'w', userId: 'c', role: 'member', invitationId: 'i', at } },
    ]);
    spec.given([created, invited]).when({ ...accept, email: 'd@x.io' }).thenThrows(IdentityError, code(Code.InvitationEmailMismatch));
    spec.given([created, invited]).when({ ...accept, tokenHash: 'other' }).thenThrows(IdentityError, code(Code.InvitationNotFound));
    spec.given([created, invited]).when({ ...accept, now: new Date('2026-11-29T00:00:00Z') }).thenThrows(IdentityError, code(Code.InvitationExpired));
    const accepted: WorkspaceEvent = { type: 'identity.workspace-invitation-accepted', data: { workspaceId: 'w', invitationId: 'i', userId: 'c', at } };
    spec.given([created, invited, accepted]).when(accept).thenThrows(IdentityError, code(Code.InvitationNotPending));
  });

  it('is accepted only by an account whose email is VERIFIED (no pre-hijacking by signing up with the address first)', () => {
    const invited: WorkspaceEvent = {
      type: 'identity.workspace-invitation-created',
      data: { workspaceId: 'w', invitationId: 'i', email: 'c@x.io', role: 'member', tokenHash: 'h', expiresAt: '2026-11-28T10:00:00.000Z', invitedBy: 'o', at },
    };
    const squatter = { kind: 'accept-invitation' as const, invitationId: 'i', tokenHash: 'h', userId: 's', email: 'c@x.io', emailVerified: false, now };
    spec.given([created, invited]).when(squatter).thenThrows(IdentityError, code(Code.EmailNotVerified));
  });
});
