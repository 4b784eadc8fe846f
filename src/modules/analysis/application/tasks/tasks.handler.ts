import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { AnalysisRunsError, AnalysisRunsErrorCode } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { TaskChanges } from '@modules/analysis/domain/task/task.events';
import { AnalysisRunsAggregates } from '@modules/analysis/infrastructure/analysis-runs.aggregates';
import { AnalysisRunsQueries } from '@modules/analysis/infrastructure/analysis-runs.queries';
import type { TaskRow } from '@modules/analysis/projections/tasks.projection';

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** A task as clients read it (seed 003 tasks + task_entities), with its messages and how its assignee was chosen. */
export function taskResponse(row: TaskRow) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    category: row.category,
    priority: row.priority,
    status: row.status,
    sourceId: row.source_id,
    sourceMessageId: row.source_message_id,
    messages: row.messages,
    assignedTo: row.assigned_to,
    /** extracted (the messages name the owner), project_default (the project's default; never extracted), manual. */
    assigneeSource: row.assignee_source,
    createdBy: row.created_by,
    aiGenerated: row.ai_generated,
    classificationData: row.classification_data,
    confidenceScore: row.confidence_score,
    dueDate: row.due_date,
    proposalId: row.proposal_id,
    projectId: row.project_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: row.version,
  };
}

@Injectable()
export class TasksHandler {
  constructor(
    private readonly aggregates: AnalysisRunsAggregates,
    private readonly queries: AnalysisRunsQueries,
  ) {}

  async list(workspaceId: string, f: { status?: string; assignee?: string; cursor?: string; limit: number }) {
    const page = await this.queries.tasks(workspaceId, f);
    return { items: page.items.map(taskResponse), nextCursor: page.nextCursor };
  }

  async get(workspaceId: string, taskId: string) {
    const row = isUUID(taskId) ? await this.queries.task(workspaceId, taskId) : null;
    if (!row) throw new AnalysisRunsError(AnalysisRunsErrorCode.TaskNotFound, 'No such task', { taskId });
    return taskResponse(row);
  }

  async update(workspaceId: string, taskId: string, changes: TaskChanges, meta: CommandMetadata) {
    await this.get(workspaceId, taskId);
    await this.aggregates.task.handle(taskId, { kind: 'update', changes, by: meta.actorId, at: meta.now.toISOString() }, meta, { fingerprint: changes });
    return this.get(workspaceId, taskId);
  }
}
