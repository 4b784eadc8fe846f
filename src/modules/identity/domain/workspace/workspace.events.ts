import { WorkspaceRole } from '@libs/common/auth/workspace-role';

export type WorkspaceEvent =
  | {
      type: 'identity.workspace-created';
      data: { workspaceId: string; name: string; slug: string; organizationId: string | null; ownerId: string; at: string };
    }
  | { type: 'identity.workspace-renamed'; data: { workspaceId: string; name: string; at: string } }
  | { type: 'identity.workspace-slug-changed'; data: { workspaceId: string; slug: string; previousSlug: string; at: string } }
  | { type: 'identity.workspace-deactivated'; data: { workspaceId: string; at: string } }
  | { type: 'identity.workspace-member-added'; data: { workspaceId: string; userId: string; role: WorkspaceRole; invitationId?: string; at: string } }
  | { type: 'identity.workspace-member-role-changed'; data: { workspaceId: string; userId: string; role: WorkspaceRole; previousRole: WorkspaceRole; at: string } }
  | { type: 'identity.workspace-member-removed'; data: { workspaceId: string; userId: string; at: string } }
  | {
      type: 'identity.workspace-invitation-created';
      data: { workspaceId: string; invitationId: string; email: string; role: WorkspaceRole; tokenHash: string; expiresAt: string; invitedBy: string; at: string };
    }
  | { type: 'identity.workspace-invitation-accepted'; data: { workspaceId: string; invitationId: string; userId: string; at: string } }
  | { type: 'identity.workspace-invitation-revoked'; data: { workspaceId: string; invitationId: string; at: string } };

/** The invitee's email is personal data of its own subject (the invitation), erasable alone. */
export const workspacePersonalData: Record<string, { subject: string; fields: string[] }> = {
  'identity.workspace-invitation-created': { subject: 'invitationId', fields: ['email'] },
};
