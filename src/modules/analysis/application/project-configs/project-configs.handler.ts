import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { WorkspaceMembers } from '@modules/identity/contracts';
import { ProjectConfigSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { componentsProblems, FieldProblem, glossaryProblems, normaliseKeywords, priorityRulesProblems } from '@modules/analysis/domain/configuration/project-settings';
import { ConfigurationAggregates } from '@modules/analysis/infrastructure/configuration-aggregates';
import { checkIfMatch, ConfigurationNames, followUp, newConfigurationId } from '@modules/analysis/infrastructure/configuration-names';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { projectConfigResponse } from '@modules/analysis/infrastructure/configuration.responses';
import type { ProjectConfigRow } from '@modules/analysis/projections/project-configs.projection';
import { CreateProjectConfigRequestDto, UpdateProjectConfigRequestDto } from './project-configs.request.dto';

export type ProjectConfigResponse = ReturnType<typeof projectConfigResponse>;

export const DEFAULT_PROJECT_VERSION = '1.0';

/**
 * Project configs (admin): what places a proposal in a project (keywords, glossary, components),
 * who takes its tasks by default, its PM, and the words that set a priority. Default assignees
 * and the PM must be members of the workspace when saved.
 */
@Injectable()
export class ProjectConfigsHandler {
  constructor(
    private readonly aggregates: ConfigurationAggregates,
    private readonly queries: ConfigurationQueries,
    private readonly names: ConfigurationNames,
    private readonly members: WorkspaceMembers,
  ) {}

  async create(workspaceId: string, input: CreateProjectConfigRequestDto, meta: CommandMetadata): Promise<ProjectConfigResponse> {
    const settings: ProjectConfigSettings = {
      name: input.name,
      description: input.description ?? '',
      keywords: normaliseKeywords(input.keywords ?? []),
      glossary: input.glossary ?? {},
      components: input.components ?? [],
      defaultAssigneeIds: [...new Set(input.defaultAssigneeIds ?? [])],
      pmUserId: input.pmUserId,
      priorityRules: input.priorityRules ?? {},
      version: input.version ?? DEFAULT_PROJECT_VERSION,
    };
    await this.check(workspaceId, settings);
    const id = newConfigurationId('project-config', workspaceId, scopedIdempotencyKey(meta), input);
    await this.names.creating('project-config', workspaceId, input.name, id, meta, () =>
      this.aggregates.projectConfig.handle(id, { kind: 'create', id, workspaceId, settings, now: meta.now }, meta, { fingerprint: input }),
    );
    if (input.isActive === false) await this.aggregates.projectConfig.handle(id, { kind: 'set-active', workspaceId, active: false, now: meta.now }, followUp(meta));
    return projectConfigResponse(await this.row(workspaceId, id));
  }

  async update(workspaceId: string, id: string, input: UpdateProjectConfigRequestDto, meta: CommandMetadata): Promise<ProjectConfigResponse> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'project config');
    const changes: Partial<ProjectConfigSettings> = {
      name: input.name,
      description: input.description,
      keywords: input.keywords === undefined ? undefined : normaliseKeywords(input.keywords),
      glossary: input.glossary,
      components: input.components,
      defaultAssigneeIds: input.defaultAssigneeIds === undefined ? undefined : [...new Set(input.defaultAssigneeIds)],
      pmUserId: input.pmUserId,
      priorityRules: input.priorityRules,
      version: input.version,
    };
    await this.check(workspaceId, changes);
    await this.names.renaming('project-config', workspaceId, current.name, input.name, id, meta, () =>
      this.aggregates.projectConfig.handle(id, { kind: 'change', workspaceId, changes, now: meta.now }, meta, { fingerprint: input }),
    );
    if (input.isActive !== undefined) await this.aggregates.projectConfig.handle(id, { kind: 'set-active', workspaceId, active: input.isActive, now: meta.now }, followUp(meta));
    return projectConfigResponse(await this.row(workspaceId, id));
  }

  /** DELETE: the config goes (runs keep the snapshot they took); its name is free again. */
  async delete(workspaceId: string, id: string, meta: CommandMetadata): Promise<void> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'project config');
    await this.aggregates.projectConfig.handle(id, { kind: 'delete', workspaceId, now: meta.now }, meta);
    await this.names.release('project-config', workspaceId, current.name, id, followUp(meta));
  }

  async get(workspaceId: string, id: string): Promise<ProjectConfigResponse> {
    return projectConfigResponse(await this.row(workspaceId, id));
  }

  async row(workspaceId: string, id: string): Promise<ProjectConfigRow> {
    const row = isUUID(id) ? await this.queries.projectConfig(workspaceId, id) : null;
    if (!row) throw new AnalysisConfigurationError(Code.ProjectConfigNotFound, 'No such project config', { projectConfigId: id });
    return row;
  }

  /** The free-form fields' shapes, then the people: every one a member of the workspace. */
  private async check(workspaceId: string, s: Partial<ProjectConfigSettings>): Promise<void> {
    const problems: FieldProblem[] = [
      ...(s.glossary !== undefined ? glossaryProblems(s.glossary) : []),
      ...(s.components !== undefined ? componentsProblems(s.components) : []),
      ...(s.priorityRules !== undefined ? priorityRulesProblems(s.priorityRules) : []),
    ];
    const people = [...(s.defaultAssigneeIds ?? []), ...(s.pmUserId ? [s.pmUserId] : [])];
    if (people.length) {
      const members = await this.members.membersAmong(workspaceId, people);
      (s.defaultAssigneeIds ?? []).forEach((userId, i) => {
        if (!members.has(userId)) problems.push({ field: `defaultAssigneeIds.${i}`, message: `${userId} is not a member of this workspace` });
      });
      if (s.pmUserId && !members.has(s.pmUserId)) problems.push({ field: 'pmUserId', message: `${s.pmUserId} is not a member of this workspace` });
    }
    if (problems.length) throw new ValidationFailedError('The project config is not valid', problems);
  }
}
