import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { roleAtLeast, WorkspaceRole } from '@libs/common/auth/workspace-role';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { WorkspaceEvent } from './workspace.events';

interface Invitation {
  email: string;
  role: WorkspaceRole;
  tokenHash: string;
  expiresAt: string;
  status: 'pending' | 'accepted' | 'revoked';
}

export type WorkspaceState =
  | { status: 'none' }
  | {
      status: 'active' | 'inactive';
      workspaceId: string;
      slug: string;
      members: Record<string, WorkspaceRole>;
      invitations: Record<string, Invitation>;
    };

/** `actorRole` is the caller's role in this workspace (checked by the guard, re-checked here). */
export type WorkspaceCommand =
  | { kind: 'create'; workspaceId: string; name: string; slug: string; organizationId: string | null; ownerId: string; now: Date }
  | { kind: 'rename'; name: string; actorRole: WorkspaceRole; now: Date }
  | { kind: 'change-slug'; slug: string; actorRole: WorkspaceRole; now: Date }
  | { kind: 'deactivate'; actorRole: WorkspaceRole; now: Date }
  | { kind: 'add-member'; userId: string; role: WorkspaceRole; actorRole: WorkspaceRole; now: Date }
  | { kind: 'change-role'; userId: string; role: WorkspaceRole; actorRole: WorkspaceRole; now: Date }
  | { kind: 'remove-member'; userId: string; actorId: string; actorRole: WorkspaceRole; now: Date }
  | { kind: 'invite'; invitationId: string; email: string; role: WorkspaceRole; tokenHash: string; expiresAt: Date; invitedBy: string; actorRole: WorkspaceRole; now: Date }
  | { kind: 'accept-invitation'; invitationId: string; tokenHash: string; userId: string; email: string; emailVerified: boolean; now: Date }
  | { kind: 'revoke-invitation'; invitationId: string; actorRole: WorkspaceRole; now: Date };

function existing(s: WorkspaceState): Extract<WorkspaceState, { status: 'active' | 'inactive' }> {
  if (s.status === 'none') throw new IdentityError(Code.WorkspaceNotFound, 'No such workspace');
  return s;
}

function active(s: WorkspaceState) {
  const w = existing(s);
  if (w.status !== 'active') throw new IdentityError(Code.WorkspaceInactive, 'The workspace is deactivated');
  return w;
}

function requireRole(actorRole: WorkspaceRole, required: WorkspaceRole, what: string): void {
  if (!roleAtLeast(actorRole, required)) throw new IdentityError(Code.RoleNotAllowed, `Only a workspace ${required} or above may ${what}`);
}

/** Only owners hand out or touch the owner role; admins manage everyone below them. */
function mayGrant(actorRole: WorkspaceRole, role: WorkspaceRole): void {
  requireRole(actorRole, 'admin', 'manage members');
  if (role === 'owner' && actorRole !== 'owner') throw new IdentityError(Code.RoleNotAllowed, 'Only an owner may make someone an owner');
}

const owners = (members: Record<string, WorkspaceRole>) => Object.values(members).filter((r) => r === 'owner').length;
const lower = (email: string) => email.trim().toLowerCase();

export const workspaceDecider: Decider<WorkspaceCommand, WorkspaceState, WorkspaceEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (s, e) => {
    switch (e.type) {
      case 'identity.workspace-created':
        return { status: 'active', workspaceId: e.data.workspaceId, slug: e.data.slug, members: { [e.data.ownerId]: 'owner' }, invitations: {} };
      case 'identity.workspace-renamed':
        return s;
      case 'identity.workspace-slug-changed':
        return s.status === 'none' ? s : { ...s, slug: e.data.slug };
      case 'identity.workspace-deactivated':
        return s.status === 'none' ? s : { ...s, status: 'inactive' };
      case 'identity.workspace-member-added':
      case 'identity.workspace-member-role-changed':
        return s.status === 'none' ? s : { ...s, members: { ...s.members, [e.data.userId]: e.data.role } };
      case 'identity.workspace-member-removed': {
        if (s.status === 'none') return s;
        const { [e.data.userId]: _gone, ...members } = s.members;
        return { ...s, members };
      }
      case 'identity.workspace-invitation-created':
        return s.status === 'none'
          ? s
          : {
              ...s,
              invitations: {
                ...s.invitations,
                [e.data.invitationId]: { email: e.data.email, role: e.data.role, tokenHash: e.data.tokenHash, expiresAt: e.data.expiresAt, status: 'pending' },
              },
            };
      case 'identity.workspace-invitation-accepted':
      case 'identity.workspace-invitation-revoked': {
        if (s.status === 'none') return s;
        const inv = s.invitations[e.data.invitationId];
        if (!inv) return s;
        const status = e.type === 'identity.workspace-invitation-accepted' ? 'accepted' : 'revoked';
        return { ...s, invitations: { ...s.invitations, [e.data.invitationId]: { ...inv, status } } };
      }
      default:
        return assertNever(e);
    }
  },

  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'create':
        if (s.status !== 'none') throw new IdentityError(Code.SlugTaken, 'This workspace already exists');
        return {
          type: 'identity.workspace-created',
          data: { workspaceId: c.workspaceId, name: c.name, slug: c.slug, organizationId: c.organizationId, ownerId: c.ownerId, at },
        };
      case 'rename': {
        const w = active(s);
        requireRole(c.actorRole, 'admin', 'rename the workspace');
        return { type: 'identity.workspace-renamed', data: { workspaceId: w.workspaceId, name: c.name, at } };
      }
      case 'change-slug': {
        const w = active(s);
        requireRole(c.actorRole, 'admin', 'change the slug');
        if (w.slug === c.slug) return [];
        return { type: 'identity.workspace-slug-changed', data: { workspaceId: w.workspaceId, slug: c.slug, previousSlug: w.slug, at } };
      }
      case 'deactivate': {
        const w = existing(s);
        requireRole(c.actorRole, 'owner', 'deactivate the workspace');
        return w.status === 'inactive' ? [] : { type: 'identity.workspace-deactivated', data: { workspaceId: w.workspaceId, at } };
      }
      case 'add-member': {
        const w = active(s);
        mayGrant(c.actorRole, c.role);
        if (w.members[c.userId]) throw new IdentityError(Code.AlreadyMember, 'This user is already a member', { userId: c.userId });
        return { type: 'identity.workspace-member-added', data: { workspaceId: w.workspaceId, userId: c.userId, role: c.role, at } };
      }
      case 'change-role': {
        const w = active(s);
        const current = w.members[c.userId];
        if (!current) throw new IdentityError(Code.MemberNotFound, 'No such member', { userId: c.userId });
        mayGrant(c.actorRole, c.role);
        if (current === 'owner') {
          if (c.actorRole !== 'owner') throw new IdentityError(Code.RoleNotAllowed, "Only an owner may change an owner's role");
          if (c.role !== 'owner' && owners(w.members) === 1) throw new IdentityError(Code.LastOwner, 'A workspace keeps at least one owner');
        }
        if (current === c.role) return [];
        return { type: 'identity.workspace-member-role-changed', data: { workspaceId: w.workspaceId, userId: c.userId, role: c.role, previousRole: current, at } };
      }
      case 'remove-member': {
        const w = active(s);
        const current = w.members[c.userId];
        if (!current) throw new IdentityError(Code.MemberNotFound, 'No such member', { userId: c.userId });
        // Anyone may leave; removing others takes an admin (an owner for owners).
        if (c.userId !== c.actorId) {
          requireRole(c.actorRole, current === 'owner' ? 'owner' : 'admin', 'remove this member');
        }
        if (current === 'owner' && owners(w.members) === 1) throw new IdentityError(Code.LastOwner, 'The last owner cannot be removed');
        return { type: 'identity.workspace-member-removed', data: { workspaceId: w.workspaceId, userId: c.userId, at } };
      }
      case 'invite': {
        const w = active(s);
        mayGrant(c.actorRole, c.role);
        return {
          type: 'identity.workspace-invitation-created',
          data: {
            workspaceId: w.workspaceId,
            invitationId: c.invitationId,
            email: lower(c.email),
            role: c.role,
            tokenHash: c.tokenHash,
            expiresAt: c.expiresAt.toISOString(),
            invitedBy: c.invitedBy,
            at,
          },
        };
      }
      case 'accept-invitation': {
        const w = active(s);
        const inv = w.invitations[c.invitationId];
        if (!inv || inv.tokenHash !== c.tokenHash) throw new IdentityError(Code.InvitationNotFound, 'No such invitation');
        if (inv.status !== 'pending') throw new IdentityError(Code.InvitationNotPending, `The invitation was ${inv.status}`);
        if (Date.parse(inv.expiresAt) <= c.now.getTime()) throw new IdentityError(Code.InvitationExpired, 'The invitation has expired');
        if (lower(c.email) !== inv.email) throw new IdentityError(Code.InvitationEmailMismatch, 'The invitation was sent to another email address');
        // Anyone can sign up with someone else's address; only the mailbox's owner can verify it.
        if (!c.emailVerified) throw new IdentityError(Code.EmailNotVerified, 'Verify your email address (the PIN mailed at sign-up, or a password reset) before accepting an invitation');
        const accepted: WorkspaceEvent = { type: 'identity.workspace-invitation-accepted', data: { workspaceId: w.workspaceId, invitationId: c.invitationId, userId: c.userId, at } };
        if (w.members[c.userId]) return accepted;
        return [accepted, { type: 'identity.workspace-member-added', data: { workspaceId: w.workspaceId, userId: c.userId, role: inv.role, invitationId: c.invitationId, at } }];
      }
      case 'revoke-invitation': {
        const w = active(s);
        requireRole(c.actorRole, 'admin', 'revoke invitations');
        const inv = w.invitations[c.invitationId];
        if (!inv) throw new IdentityError(Code.InvitationNotFound, 'No such invitation');
        if (inv.status !== 'pending') throw new IdentityError(Code.InvitationNotPending, `The invitation was ${inv.status}`);
        return { type: 'identity.workspace-invitation-revoked', data: { workspaceId: w.workspaceId, invitationId: c.invitationId, at } };
      }
      default:
        return assertNever(c);
    }
  },
};
