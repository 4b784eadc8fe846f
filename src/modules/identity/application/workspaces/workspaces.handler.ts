import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { WorkspaceRole } from '@libs/common/auth/workspace-role';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { CreateWorkspaceRequestDto, UpdateWorkspaceRequestDto } from './workspace.request.dto';

/** A slug from a name: ascii, lower-case, dashes ('Équipe Produit!' -> 'equipe-produit'). */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  return s || 'workspace';
}

@Injectable()
export class WorkspacesHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
  ) {}

  async create(userId: string, input: CreateWorkspaceRequestDto, meta: CommandMetadata) {
    const user = await this.queries.userById(userId);
    if (!user) throw new IdentityError(Code.UserNotFound, 'No such user');
    let organizationId = user.organization_id;
    if (input.organizationId) {
      const mine = await this.queries.organizationsOf(userId, user.organization_id);
      if (!mine.some((o) => o.id === input.organizationId)) throw new IdentityError(Code.OrganizationNotFound, 'No such organization');
      organizationId = input.organizationId;
    }
    const workspaceId = uuidv7();
    const m = { ...meta, workspaceId, expectedVersion: undefined };
    const slug = await this.claimSlug(input.slug, input.name, workspaceId, m);
    const out = await this.aggregates.workspace.handle(workspaceId, { kind: 'create', workspaceId, name: input.name, slug, organizationId, ownerId: userId, now: meta.now }, m, { fingerprint: input });
    return { id: workspaceId, name: input.name, slug, organizationId, ownerId: userId, role: 'owner' as WorkspaceRole, version: out.version };
  }

  /** An explicit slug must be free (409); a generated one takes the next free suffix. */
  private async claimSlug(explicit: string | undefined, name: string, owner: string, m: CommandMetadata): Promise<string> {
    if (explicit) {
      await this.aggregates.workspaceSlugs.claim(explicit, owner, m);
      return explicit;
    }
    const base = slugify(name);
    for (let i = 1; i <= 50; i++) {
      const candidate = i === 1 ? base : `${base}-${i}`;
      try {
        await this.aggregates.workspaceSlugs.claim(candidate, owner, m);
        return candidate;
      } catch (err) {
        if (!(err instanceof IdentityError && err.code === Code.SlugTaken)) throw err;
      }
    }
    const fallback = `${base}-${owner.slice(-8)}`;
    await this.aggregates.workspaceSlugs.claim(fallback, owner, m);
    return fallback;
  }

  mine(userId: string) {
    return this.queries.workspacesOf(userId);
  }

  async get(workspaceId: string, role: WorkspaceRole) {
    const w = await this.queries.workspace(workspaceId);
    if (!w) throw new IdentityError(Code.WorkspaceNotFound, 'No such workspace');
    return { ...w, role };
  }

  async update(workspaceId: string, role: WorkspaceRole, input: UpdateWorkspaceRequestDto, meta: CommandMetadata) {
    const current = await this.queries.workspace(workspaceId);
    if (!current) throw new IdentityError(Code.WorkspaceNotFound, 'No such workspace');
    if (input.slug && input.slug !== current.slug) {
      await this.aggregates.workspaceSlugs.claim(input.slug, workspaceId, meta);
      try {
        await this.aggregates.workspace.handle(workspaceId, { kind: 'change-slug', slug: input.slug, actorRole: role, now: meta.now }, meta, { fingerprint: input });
      } catch (err) {
        await this.aggregates.workspaceSlugs.release(input.slug, workspaceId, meta);
        throw err;
      }
      await this.aggregates.workspaceSlugs.release(current.slug, workspaceId, meta);
    }
    if (input.name && input.name !== current.name) {
      await this.aggregates.workspace.handle(workspaceId, { kind: 'rename', name: input.name, actorRole: role, now: meta.now }, { ...meta, idempotencyKey: undefined });
    }
    return this.get(workspaceId, role);
  }

  async deactivate(workspaceId: string, role: WorkspaceRole, meta: CommandMetadata): Promise<void> {
    await this.aggregates.workspace.handle(workspaceId, { kind: 'deactivate', actorRole: role, now: meta.now }, meta);
  }
}
