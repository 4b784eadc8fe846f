import type { TaskCategory, TaskPriority } from '@modules/analysis/domain/task/task.events';

/**
 * One batch of a run (`analysis-run-batch-<runId>-<index>`): its messages when planned, then
 * its result. The result is recorded BEFORE the run moves on, so a crash after it never calls the
 * model for that batch again: a redelivered command finds the batch recorded.
 */
export interface ProposedTaskSource {
  messageId: string;
  /** The words of the message the task rests on. */
  quote: string;
}

/** A task the agent found in a batch, normalised from its answer (built-in engine or a model). */
export interface ProposedTask {
  title: string;
  description: string;
  sources: ProposedTaskSource[];
  confidence: number;
  reasoning: string;
  priority: TaskPriority;
  category: TaskCategory;
  recommendation: 'new_task' | 'update_existing' | 'merge' | 'reject';
  /** A workspace member or known author the text names; null when it names no one. */
  ownerId: string | null;
  dueDate: string | null;
  tags: string[];
  subTasks: { title: string }[];
}

export interface BatchUsage {
  /** Model calls made for this batch (a retried invalid answer is two). */
  calls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export interface BatchFailure {
  code: string;
  message: string;
  /** Validation errors of an invalid answer, the provider's error kind... */
  details?: Record<string, unknown>;
}

export type RunBatchEvent =
  | { type: 'analysis.run-batch-planned'; data: { runId: string; batchIndex: number; messageIds: string[]; estimatedTokens: number } }
  | { type: 'analysis.run-batch-completed'; data: { runId: string; batchIndex: number; tasks: ProposedTask[]; dropped: number; usage: BatchUsage; at: string } }
  | { type: 'analysis.run-batch-failed'; data: { runId: string; batchIndex: number; error: BatchFailure; usage: BatchUsage; at: string } };

export const RUN_BATCH_EVENT_TYPES = ['analysis.run-batch-planned', 'analysis.run-batch-completed', 'analysis.run-batch-failed'] as const;

export const runBatchStreamKey = (runId: string, batchIndex: number) => `${runId}-${batchIndex}`;
