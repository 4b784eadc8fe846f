import type { TaskProposalRow } from '@modules/analysis/projections/task-proposals.projection';

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** A proposal as clients read it: seed fields in camelCase, each source message with its quote and the runs that included it. */
export function proposalResponse(row: TaskProposalRow, includedInRuns: Map<string, string[]>) {
  const sources = row.source_messages as { messageId: string; sourceId: string | null; sentAt: string | null; quote: string }[];
  return {
    id: row.id,
    analysisRunId: row.analysis_run_id,
    includedInRuns: row.included_in_runs,
    status: row.status,
    proposedTitle: row.proposed_title,
    proposedDescription: row.proposed_description,
    sourceMessageIds: row.source_message_ids,
    sourceMessages: sources.map((s) => ({ ...s, includedInRuns: includedInRuns.get(s.messageId) ?? [] })),
    messageCount: row.message_count,
    timeSpanSeconds: row.time_span_seconds,
    confidence: row.confidence,
    reasoning: row.reasoning,
    proposedPriority: row.proposed_priority,
    proposedCategory: row.proposed_category,
    llmRecommendation: row.llm_recommendation,
    similarityType: row.similarity_type,
    similarityScore: row.similarity_score,
    similarityMethod: row.similarity_method,
    similarTaskId: row.similar_task_id,
    proposedParentId: row.proposed_parent_id,
    proposedTags: row.proposed_tags,
    proposedSubTasks: row.proposed_sub_tasks,
    diffSummary: row.diff_summary,
    proposedProjectId: row.proposed_project_id,
    projectClassificationConfidence: row.project_classification_confidence,
    projectKeywordsMatched: row.project_keywords_matched,
    /** The owner the messages name (never a default); null when they name none. */
    ownerId: row.owner_id,
    dueDate: row.due_date,
    edited: row.edited,
    rejectReason: row.reject_reason,
    taskId: row.task_id,
    reviewedByUserId: row.reviewed_by_user_id,
    createdAt: iso(row.created_at),
    reviewedAt: iso(row.reviewed_at),
    version: row.version,
  };
}
