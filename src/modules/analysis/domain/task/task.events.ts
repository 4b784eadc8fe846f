/**
 * A task (seed 003 `tasks`, with `task_entities` as the same thing: proposals point at tasks by
 * `similar_task_id` / `proposed_parent_id`). Stream `analysis-task-<id>`.
 */
export const TASK_STATUSES = ['open', 'in_progress', 'completed', 'closed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_PRIORITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type TaskPriority = (typeof TASK_PRIORITY_LEVELS)[number];
export const TASK_CATEGORY_VALUES = ['bug', 'feature', 'improvement', 'question', 'chore'] as const;
export type TaskCategory = (typeof TASK_CATEGORY_VALUES)[number];

/**
 * Where the assignee comes from: `extracted` (the messages name the owner), `project_default`
 * (none named: the project's default assignee, never shown as extracted), `manual` (a person set it).
 */
export type AssigneeSource = 'extracted' | 'project_default' | 'manual';

export interface TaskMessageLink {
  messageId: string;
  sourceId: string | null;
  quote: string | null;
}

export interface TaskCreatedData {
  taskId: string;
  title: string;
  description: string;
  category: TaskCategory;
  priority: TaskPriority;
  status: TaskStatus;
  assigneeId: string | null;
  assigneeSource: AssigneeSource | null;
  dueDate: string | null;
  aiGenerated: boolean;
  confidenceScore: number | null;
  classificationData: Record<string, unknown> | null;
  proposalId: string | null;
  projectId: string | null;
  createdBy: string | null;
  messages: TaskMessageLink[];
  at: string;
}

export interface TaskChanges {
  title?: string;
  description?: string;
  category?: TaskCategory;
  priority?: TaskPriority;
  status?: TaskStatus;
  assigneeId?: string | null;
  dueDate?: string | null;
}

export type TaskEvent =
  | { type: 'analysis.task-created'; data: TaskCreatedData }
  | { type: 'analysis.task-updated'; data: { taskId: string; changes: TaskChanges; by: string | null; at: string } }
  | { type: 'analysis.task-messages-linked'; data: { taskId: string; messages: TaskMessageLink[]; proposalId: string | null; runId: string | null; at: string } };

export const TASK_EVENT_TYPES = ['analysis.task-created', 'analysis.task-updated', 'analysis.task-messages-linked'] as const;
