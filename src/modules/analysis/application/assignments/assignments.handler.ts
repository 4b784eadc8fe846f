import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { ConfigurationAggregates } from '@modules/analysis/infrastructure/configuration-aggregates';
import { checkIfMatch, followUp, newConfigurationId } from '@modules/analysis/infrastructure/configuration-names';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { assignmentResponse } from '@modules/analysis/infrastructure/configuration.responses';
import type { AgentTaskAssignmentRow } from '@modules/analysis/projections/agent-task-assignments.projection';
import { CreateAssignmentRequestDto, UpdateAssignmentRequestDto } from './assignments.request.dto';

export type AssignmentResponse = ReturnType<typeof assignmentResponse>;

/** Agent<->task assignments (admin): what a run executes. The pair is unique (a claim), freed on delete. */
@Injectable()
export class AssignmentsHandler {
  constructor(
    private readonly aggregates: ConfigurationAggregates,
    private readonly queries: ConfigurationQueries,
  ) {}

  async create(workspaceId: string, input: CreateAssignmentRequestDto, meta: CommandMetadata): Promise<AssignmentResponse> {
    if (!(await this.queries.agentConfig(workspaceId, input.agentId))) throw new AnalysisConfigurationError(Code.AgentConfigNotFound, 'No such agent config in this workspace', { field: 'agentId' });
    if (!(await this.queries.taskConfig(workspaceId, input.taskId))) throw new AnalysisConfigurationError(Code.TaskConfigNotFound, 'No such task config in this workspace', { field: 'taskId' });
    const id = newConfigurationId('agent-task-assignment', workspaceId, scopedIdempotencyKey(meta), input);
    const pair = { agentId: input.agentId, taskId: input.taskId };
    const claimed = await this.aggregates.agentTaskPairs.claim(pair, id, meta);
    try {
      await this.aggregates.assignment.handle(id, { kind: 'create', id, workspaceId, settings: pair, now: meta.now }, meta, { fingerprint: input });
    } catch (err) {
      if (claimed) await this.aggregates.agentTaskPairs.release(pair, id, meta).catch(() => undefined);
      throw err;
    }
    if (input.isActive === false) await this.aggregates.assignment.handle(id, { kind: 'set-active', workspaceId, active: false, now: meta.now }, followUp(meta));
    return assignmentResponse(await this.row(workspaceId, id));
  }

  async update(workspaceId: string, id: string, input: UpdateAssignmentRequestDto, meta: CommandMetadata): Promise<AssignmentResponse> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'assignment');
    if (input.isActive !== undefined) await this.aggregates.assignment.handle(id, { kind: 'set-active', workspaceId, active: input.isActive, now: meta.now }, meta, { fingerprint: input });
    return assignmentResponse(await this.row(workspaceId, id));
  }

  async delete(workspaceId: string, id: string, meta: CommandMetadata): Promise<void> {
    const current = await this.row(workspaceId, id);
    checkIfMatch(current, meta, 'assignment');
    await this.aggregates.assignment.handle(id, { kind: 'delete', workspaceId, now: meta.now }, meta);
    await this.aggregates.agentTaskPairs.release({ agentId: current.agent_id, taskId: current.task_id }, id, followUp(meta));
  }

  async get(workspaceId: string, id: string): Promise<AssignmentResponse> {
    return assignmentResponse(await this.row(workspaceId, id));
  }

  async row(workspaceId: string, id: string): Promise<AgentTaskAssignmentRow> {
    const row = isUUID(id) ? await this.queries.assignment(workspaceId, id) : null;
    if (!row) throw new AnalysisConfigurationError(Code.AssignmentNotFound, 'No such assignment', { assignmentId: id });
    return row;
  }
}
