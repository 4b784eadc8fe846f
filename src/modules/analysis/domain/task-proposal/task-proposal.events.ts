import type { ProposedTask } from '@modules/analysis/domain/analysis-run/run-batch.events';
import type { TaskCategory, TaskPriority } from '@modules/analysis/domain/task/task.events';

/**
 * A task proposal (seed 003 `task_proposals`), stream `analysis-task-proposal-<id>`. Its id is
 * derived from the workspace and its source messages, so a re-run that finds the same task in the
 * same messages reaches the same stream and links to it instead of adding one.
 */
export type ProposalStatus = 'pending' | 'approved' | 'rejected' | 'merged';
export type SimilarityType = 'exact_messages' | 'semantic' | 'none';
export type LlmRecommendation = ProposedTask['recommendation'];

export interface ProposalSourceMessage {
  messageId: string;
  sourceId: string | null;
  sentAt: string | null;
  quote: string;
}

export interface ProposalCreatedData {
  proposalId: string;
  runId: string;
  title: string;
  description: string;
  sources: ProposalSourceMessage[];
  messageCount: number;
  timeSpanSeconds: number;
  confidence: number;
  reasoning: string;
  priority: TaskPriority;
  category: TaskCategory;
  recommendation: LlmRecommendation;
  similarityType: SimilarityType;
  similarityScore: number | null;
  /** How similarity was measured: `title` (word overlap with open tasks' titles) or `messages`. */
  similarityMethod: 'messages' | 'title' | null;
  similarTaskId: string | null;
  proposedParentId: string | null;
  tags: string[];
  subTasks: { title: string }[];
  diffSummary: Record<string, unknown> | null;
  projectId: string | null;
  projectClassificationConfidence: number;
  projectKeywordsMatched: string[];
  ownerId: string | null;
  dueDate: string | null;
  at: string;
}

export interface ProposalEdits {
  title?: string;
  description?: string;
  priority?: TaskPriority;
  category?: TaskCategory;
  ownerId?: string | null;
  dueDate?: string | null;
}

export type TaskProposalEvent =
  | { type: 'analysis.task-proposal-created'; data: ProposalCreatedData }
  /** A later run found it again (same messages): the run is recorded, nothing is added. */
  | { type: 'analysis.task-proposal-linked'; data: { proposalId: string; runId: string; at: string } }
  | { type: 'analysis.task-proposal-edited'; data: { proposalId: string; edits: ProposalEdits; by: string | null; at: string } }
  | { type: 'analysis.task-proposal-approved'; data: { proposalId: string; runId: string; taskId: string; by: string | null; at: string } }
  | { type: 'analysis.task-proposal-rejected'; data: { proposalId: string; runId: string; reason: string; by: string | null; at: string } }
  | { type: 'analysis.task-proposal-merged'; data: { proposalId: string; runId: string; taskId: string; by: string | null; at: string } };

export const TASK_PROPOSAL_EVENT_TYPES = [
  'analysis.task-proposal-created',
  'analysis.task-proposal-linked',
  'analysis.task-proposal-edited',
  'analysis.task-proposal-approved',
  'analysis.task-proposal-rejected',
  'analysis.task-proposal-merged',
] as const;
