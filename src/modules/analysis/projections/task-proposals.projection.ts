import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { TaskProposalEvent } from '@modules/analysis/domain/task-proposal/task-proposal.events';

export interface TaskProposalRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  analysis_run_id: string;
  included_in_runs: string[];
  proposed_project_id: string | null;
  proposed_parent_id: string | null;
  similar_task_id: string | null;
  reviewed_by_user_id: string | null;
  proposed_title: string;
  proposed_description: string;
  source_message_ids: string[];
  source_messages: unknown;
  message_count: number;
  time_span_seconds: number;
  confidence: number;
  reasoning: string;
  proposed_priority: string;
  proposed_category: string;
  llm_recommendation: string;
  status: string;
  similarity_type: string;
  similarity_method: string | null;
  proposed_tags: string[];
  proposed_sub_tasks: unknown;
  diff_summary: unknown;
  project_keywords_matched: string[];
  similarity_score: number | null;
  project_classification_confidence: number;
  owner_id: string | null;
  due_date: string | null;
  edited: boolean;
  reject_reason: string | null;
  task_id: string | null;
  created_at: string;
  reviewed_at: string | null;
  version: number;
}

type D<T extends TaskProposalEvent['type']> = Extract<TaskProposalEvent, { type: T }>['data'];
const on = <T extends TaskProposalEvent['type']>(f: (row: TaskProposalRow, d: D<T>) => Partial<TaskProposalRow>): RowHandler<TaskProposalRow> => (row, e) =>
  row ? { ...row, ...f(row, e.data as D<T>), version: e.streamVersion } : null;

/** analysis_task_proposals_view: proposals with every seed field, the runs that found them, and their review. */
export class TaskProposalsProjection extends RowProjection<TaskProposalRow> {
  readonly name = 'analysis.task-proposals';
  readonly table = 'analysis_task_proposals_view';
  override readonly mode = 'inline';

  override keyOf(e: RecordedEvent): string | null {
    return (e.data as { proposalId?: string }).proposalId ?? null;
  }

  readonly handlers: Record<string, RowHandler<TaskProposalRow>> = {
    'analysis.task-proposal-created': (_row, e) => {
      const d = e.data as D<'analysis.task-proposal-created'>;
      return {
        id: d.proposalId,
        workspace_id: e.workspaceId!,
        analysis_run_id: d.runId,
        included_in_runs: [d.runId],
        proposed_project_id: d.projectId,
        proposed_parent_id: d.proposedParentId,
        similar_task_id: d.similarTaskId,
        reviewed_by_user_id: null,
        proposed_title: d.title,
        proposed_description: d.description,
        source_message_ids: d.sources.map((s) => s.messageId),
        source_messages: d.sources,
        message_count: d.messageCount,
        time_span_seconds: d.timeSpanSeconds,
        confidence: d.confidence,
        reasoning: d.reasoning,
        proposed_priority: d.priority,
        proposed_category: d.category,
        llm_recommendation: d.recommendation,
        status: 'pending',
        similarity_type: d.similarityType,
        similarity_method: d.similarityMethod,
        proposed_tags: d.tags,
        proposed_sub_tasks: d.subTasks,
        diff_summary: d.diffSummary,
        project_keywords_matched: d.projectKeywordsMatched,
        similarity_score: d.similarityScore,
        project_classification_confidence: d.projectClassificationConfidence,
        owner_id: d.ownerId,
        due_date: d.dueDate,
        edited: false,
        reject_reason: null,
        task_id: null,
        created_at: d.at,
        reviewed_at: null,
        version: e.streamVersion,
      };
    },
    'analysis.task-proposal-linked': on<'analysis.task-proposal-linked'>((r, d) => ({ included_in_runs: r.included_in_runs.includes(d.runId) ? r.included_in_runs : [...r.included_in_runs, d.runId] })),
    'analysis.task-proposal-edited': on<'analysis.task-proposal-edited'>((_r, d) => ({
      edited: true,
      ...(d.edits.title !== undefined ? { proposed_title: d.edits.title } : {}),
      ...(d.edits.description !== undefined ? { proposed_description: d.edits.description } : {}),
      ...(d.edits.priority !== undefined ? { proposed_priority: d.edits.priority } : {}),
      ...(d.edits.category !== undefined ? { proposed_category: d.edits.category } : {}),
      ...(d.edits.ownerId !== undefined ? { owner_id: d.edits.ownerId } : {}),
      ...(d.edits.dueDate !== undefined ? { due_date: d.edits.dueDate } : {}),
    })),
    'analysis.task-proposal-approved': on<'analysis.task-proposal-approved'>((_r, d) => ({ status: 'approved', task_id: d.taskId, reviewed_by_user_id: d.by, reviewed_at: d.at })),
    'analysis.task-proposal-rejected': on<'analysis.task-proposal-rejected'>((_r, d) => ({ status: 'rejected', reject_reason: d.reason, reviewed_by_user_id: d.by, reviewed_at: d.at })),
    'analysis.task-proposal-merged': on<'analysis.task-proposal-merged'>((_r, d) => ({ status: 'merged', task_id: d.taskId, reviewed_by_user_id: d.by, reviewed_at: d.at })),
  };
}
