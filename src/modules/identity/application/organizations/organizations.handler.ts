import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { IdentityAggregates } from '@modules/identity/infrastructure/identity-aggregates';
import { IdentityQueries } from '@modules/identity/infrastructure/identity.queries';
import { CreateOrganizationRequestDto, UpdateOrganizationRequestDto } from './organizations.request.dto';

/** Organizations (seed companies / account scopes): names are unique, the creator manages it. */
@Injectable()
export class OrganizationsHandler {
  constructor(
    private readonly aggregates: IdentityAggregates,
    private readonly queries: IdentityQueries,
  ) {}

  async create(userId: string, input: CreateOrganizationRequestDto, meta: CommandMetadata) {
    const organizationId = uuidv7();
    await this.aggregates.organizationNames.claim(input.name.toLowerCase(), organizationId, meta);
    await this.aggregates.organization.handle(organizationId, {
      kind: 'create',
      organizationId,
      createdBy: userId,
      profile: {
        name: input.name,
        size: input.size ?? null,
        domain: input.domain?.toLowerCase() ?? null,
        industry: input.industry ?? null,
        description: input.description ?? null,
        website: input.website ?? null,
        subscriptionPlan: input.subscriptionPlan ?? 'free',
      },
      now: meta.now,
    }, meta, { fingerprint: input });
    return this.queries.organization(organizationId);
  }

  async get(userId: string, id: string) {
    const user = await this.queries.userById(userId);
    const mine = isUUID(id) && user ? await this.queries.organizationsOf(userId, user.organization_id) : [];
    if (!mine.some((o) => o.id === id)) throw new IdentityError(Code.OrganizationNotFound, 'No such organization');
    return this.queries.organization(id);
  }

  async update(userId: string, id: string, input: UpdateOrganizationRequestDto, meta: CommandMetadata) {
    const org = isUUID(id) ? await this.queries.organization(id) : null;
    if (!org) throw new IdentityError(Code.OrganizationNotFound, 'No such organization');
    if (org.createdBy !== userId) {
      await this.get(userId, id); // 404 when it is not theirs at all
      throw new IdentityError(Code.RoleNotAllowed, 'Only the organization creator may change it');
    }
    if (input.name && input.name.toLowerCase() !== org.name.toLowerCase()) {
      await this.aggregates.organizationNames.claim(input.name.toLowerCase(), id, meta);
      await this.aggregates.organizationNames.release(org.name.toLowerCase(), id, meta);
    }
    await this.aggregates.organization.handle(id, { kind: 'update', changes: { ...input, domain: input.domain?.toLowerCase() }, now: meta.now }, meta, { fingerprint: input });
    return this.queries.organization(id);
  }
}
