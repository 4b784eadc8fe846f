import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { actorIdOf, Principal } from '@libs/common/auth/principal';
import { WorkspaceRole } from '@libs/common/auth/workspace-role';
import { Mailer } from '@libs/common/mail/mailer';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { newInvitationToken, sha256 } from '@modules/identity/infrastructure/credentials.crypto';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IDENTITY_OPTIONS, IdentityOptions } from '@modules/identity/infrastructure/identity.options';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';

/** Members and invitations of a workspace; the rules (last owner, who grants what) are the decider's. */
@Injectable()
export class MembersHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
    private readonly mailer: Mailer,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  async list(workspaceId: string) {
    return { items: await this.queries.members(workspaceId) };
  }

  /**
   * An existing account with a VERIFIED email joins at once; any other email gets an invitation
   * by mail. An unverified account may be a squatter who signed up with a colleague's address
   * first (account pre-hijacking): it is answered exactly like an unknown email, and the
   * invitation can only be accepted once the address is verified, i.e. by its mailbox's owner.
   */
  async add(workspaceId: string, actor: Principal, actorRole: WorkspaceRole, email: string, role: WorkspaceRole, meta: CommandMetadata) {
    const user = await this.queries.userByEmail(email);
    if (!user || !user.is_active || !user.email_verified_at) return this.invite(workspaceId, actor, actorRole, email, role, meta);
    const out = await this.aggregates.workspace.handle(workspaceId, { kind: 'add-member', userId: user.id, role, actorRole, now: meta.now }, meta, { fingerprint: { email, role } });
    return { status: 'added' as const, userId: user.id, email: user.email, role, version: out.version };
  }

  async invite(workspaceId: string, actor: Principal, actorRole: WorkspaceRole, email: string, role: WorkspaceRole, meta: CommandMetadata) {
    const invitationId = uuidv7();
    const token = newInvitationToken();
    const expiresAt = new Date(meta.now.getTime() + this.options.invitationTtlDays * 86_400_000);
    const out = await this.aggregates.workspace.handle(
      workspaceId,
      { kind: 'invite', invitationId, email, role, tokenHash: token.hash, expiresAt, invitedBy: actorIdOf(actor), actorRole, now: meta.now },
      meta,
      { fingerprint: { email, role, invite: true } },
    );
    const workspace = await this.queries.workspace(workspaceId);
    await this.mailer.send({
      to: email,
      tag: 'invitation',
      subject: `You are invited to ${workspace?.name ?? 'a workspace'}`,
      text: `You are invited to join ${workspace?.name ?? 'a workspace'} as ${role}. Accept with this token (POST /api/v1/invitations/accept): ${token.token}\nIt expires on ${expiresAt.toISOString()}.`,
    });
    return { status: 'invited' as const, invitationId, email: email.toLowerCase(), role, expiresAt: expiresAt.toISOString(), version: out.version };
  }

  async changeRole(workspaceId: string, actorRole: WorkspaceRole, userId: string, role: WorkspaceRole, meta: CommandMetadata) {
    if (!isUUID(userId)) throw new IdentityError(Code.MemberNotFound, 'No such member');
    await this.aggregates.workspace.handle(workspaceId, { kind: 'change-role', userId, role, actorRole, now: meta.now }, meta, { fingerprint: { userId, role } });
    return { userId, role };
  }

  async remove(workspaceId: string, actor: Principal, actorRole: WorkspaceRole, userId: string, meta: CommandMetadata): Promise<void> {
    if (!isUUID(userId)) throw new IdentityError(Code.MemberNotFound, 'No such member');
    await this.aggregates.workspace.handle(workspaceId, { kind: 'remove-member', userId, actorId: actorIdOf(actor), actorRole, now: meta.now }, meta);
  }

  invitations(workspaceId: string) {
    return this.queries.invitations(workspaceId);
  }

  async revokeInvitation(workspaceId: string, actorRole: WorkspaceRole, invitationId: string, meta: CommandMetadata): Promise<void> {
    if (!isUUID(invitationId)) throw new IdentityError(Code.InvitationNotFound, 'No such invitation');
    await this.aggregates.workspace.handle(workspaceId, { kind: 'revoke-invitation', invitationId, actorRole, now: meta.now }, meta);
  }

  async accept(userId: string, token: string, meta: CommandMetadata) {
    const invitation = await this.queries.invitationByTokenHash(sha256(token));
    const user = await this.queries.userById(userId);
    if (!invitation || !user) throw new IdentityError(Code.InvitationNotFound, 'No such invitation');
    await this.aggregates.workspace.handle(
      invitation.workspace_id,
      { kind: 'accept-invitation', invitationId: invitation.id, tokenHash: sha256(token), userId, email: user.email, emailVerified: user.email_verified_at !== null, now: meta.now },
      { ...meta, workspaceId: invitation.workspace_id, idempotencyKey: undefined },
    );
    const role = await this.queries.roleIn(invitation.workspace_id, userId);
    return { workspaceId: invitation.workspace_id, role };
  }
}
