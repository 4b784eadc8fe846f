import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { TaskEvent, TaskMessageLink } from '@modules/analysis/domain/task/task.events';

export interface TaskRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  title: string;
  description: string;
  category: string;
  priority: string;
  status: string;
  source_id: string | null;
  source_message_id: string | null;
  message_ids: string[];
  messages: TaskMessageLink[];
  assigned_to: string | null;
  assignee_source: string | null;
  created_by: string | null;
  ai_generated: boolean;
  classification_data: unknown;
  confidence_score: number | null;
  due_date: string | null;
  proposal_id: string | null;
  project_id: string | null;
  created_at: string;
  updated_at: string | null;
  version: number;
}

type D<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>['data'];

/** analysis_tasks_view: tasks (seed 003 tasks and task_entities) with the messages they rest on. */
export class TasksProjection extends RowProjection<TaskRow> {
  readonly name = 'analysis.tasks';
  readonly table = 'analysis_tasks_view';
  override readonly mode = 'inline';

  override keyOf(e: RecordedEvent): string | null {
    return (e.data as { taskId?: string }).taskId ?? null;
  }

  readonly handlers: Record<string, RowHandler<TaskRow>> = {
    'analysis.task-created': (_row, e) => {
      const d = e.data as D<'analysis.task-created'>;
      return {
        id: d.taskId,
        workspace_id: e.workspaceId!,
        title: d.title,
        description: d.description,
        category: d.category,
        priority: d.priority,
        status: d.status,
        source_id: d.messages[0]?.sourceId ?? null,
        source_message_id: d.messages[0]?.messageId ?? null,
        message_ids: d.messages.map((m) => m.messageId),
        messages: d.messages,
        assigned_to: d.assigneeId,
        assignee_source: d.assigneeSource,
        created_by: d.createdBy,
        ai_generated: d.aiGenerated,
        classification_data: d.classificationData,
        confidence_score: d.confidenceScore,
        due_date: d.dueDate,
        proposal_id: d.proposalId,
        project_id: d.projectId,
        created_at: d.at,
        updated_at: null,
        version: e.streamVersion,
      };
    },
    'analysis.task-updated': (row, e) => {
      if (!row) return null;
      const d = e.data as D<'analysis.task-updated'>;
      const c = d.changes;
      return {
        ...row,
        ...(c.title !== undefined ? { title: c.title } : {}),
        ...(c.description !== undefined ? { description: c.description } : {}),
        ...(c.category !== undefined ? { category: c.category } : {}),
        ...(c.priority !== undefined ? { priority: c.priority } : {}),
        ...(c.status !== undefined ? { status: c.status } : {}),
        ...(c.dueDate !== undefined ? { due_date: c.dueDate } : {}),
        // A person setting the assignee makes it theirs, no longer extracted nor a default.
        ...(c.assigneeId !== undefined ? { assigned_to: c.assigneeId, assignee_source: c.assigneeId === null ? null : 'manual' } : {}),
        updated_at: d.at,
        version: e.streamVersion,
      };
    },
    'analysis.task-messages-linked': (row, e) => {
      if (!row) return null;
      const d = e.data as D<'analysis.task-messages-linked'>;
      const fresh = d.messages.filter((m) => !row.message_ids.includes(m.messageId));
      return { ...row, message_ids: [...row.message_ids, ...fresh.map((m) => m.messageId)], messages: [...row.messages, ...fresh], updated_at: d.at, version: e.streamVersion };
    },
  };
}
