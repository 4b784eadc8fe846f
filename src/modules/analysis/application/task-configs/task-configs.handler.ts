import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { TaskConfigSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { ConfigurationAggregates } from '@modules/analysis/infrastructure/configuration-aggregates';
import { checkIfMatch, ConfigurationNames, followUp, newConfigurationId } from '@modules/analysis/infrastructure/configuration-names';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { taskConfigResponse } from '@modules/analysis/infrastructure/configuration.responses';
import type { TaskConfigRow } from '@modules/analysis/projections/task-configs.projection';
import { checkResponseSchema } from './response-schema';
import { CreateTaskConfigRequestDto, UpdateTaskConfigRequestDto } from './task-configs.request.dto';

export type TaskConfigResponse = ReturnType<typeof taskConfigResponse>;

/** Task configs (admin): what an agent is asked, and the JSON Schema its answer must match. */
@Injectable()
export class TaskConfigsHandler {
  constructor(
    private readonly aggregates: ConfigurationAggregates,
    private readonly queries: ConfigurationQueries,
    private readonly names: ConfigurationNames,
  ) {}

  async create(workspaceId: string, input: CreateTaskConfigRequestDto, meta: CommandMetadata): Promise<TaskConfigResponse> {
    const settings: TaskConfigSettings = { name: input.name, description: input.description ?? null, responseSchema: checkResponseSchema(input.responseSchema) };
    const id = newConfigurationId('task-config', workspaceId, scopedIdempotencyKey(meta), input);
    await this.names.creating('task-config', workspaceId, input.name, id, meta, () =>
      this.aggregates.taskConfig.handle(id, { kind: 'create', id, workspaceId, settings, now: meta.now }, meta, { fingerprint: input }),
    );
    if (input.isActive === false) await this.aggregates.taskConfig.handle(id, { kind: 'set-active', workspaceId, active: false, now: meta.now }, followUp(meta));
    return taskConfigResponse(await this.row(workspaceId, id));
  }

  async update(workspaceId: string, id: string, input: UpdateTaskConfigRequestDto, meta: CommandMetadata): Promise<TaskConfigResponse> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'task config');
    const changes: Partial<TaskConfigSettings> = {
      name: input.name,
      description: input.description === undefined ? undefined : input.description,
      responseSchema: input.responseSchema === undefined ? undefined : checkResponseSchema(input.responseSchema),
    };
    await this.names.renaming('task-config', workspaceId, current.name, input.name, id, meta, () =>
      this.aggregates.taskConfig.handle(id, { kind: 'change', workspaceId, changes, now: meta.now }, meta, { fingerprint: input }),
    );
    if (input.isActive !== undefined) await this.aggregates.taskConfig.handle(id, { kind: 'set-active', workspaceId, active: input.isActive, now: meta.now }, followUp(meta));
    return taskConfigResponse(await this.row(workspaceId, id));
  }

  /** DELETE: refused while an assignment uses the task. */
  async delete(workspaceId: string, id: string, meta: CommandMetadata): Promise<void> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'task config');
    const assignments = await this.queries.assignmentsOf(workspaceId, { taskId: id });
    if (assignments > 0) throw new AnalysisConfigurationError(Code.InUse, `${assignments} assignment(s) use this task: delete them first, or deactivate the task`, { assignments });
    await this.aggregates.taskConfig.handle(id, { kind: 'delete', workspaceId, now: meta.now }, meta);
    await this.names.release('task-config', workspaceId, current.name, id, followUp(meta));
  }

  async get(workspaceId: string, id: string): Promise<TaskConfigResponse> {
    return taskConfigResponse(await this.row(workspaceId, id));
  }

  async row(workspaceId: string, id: string): Promise<TaskConfigRow> {
    const row = isUUID(id) ? await this.queries.taskConfig(workspaceId, id) : null;
    if (!row) throw new AnalysisConfigurationError(Code.TaskConfigNotFound, 'No such task config', { taskConfigId: id });
    return row;
  }
}
