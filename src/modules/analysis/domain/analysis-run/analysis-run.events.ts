/**
 * An analysis run's own stream (`analysis-run-<id>`): its lifecycle. Batches have streams of
 * their own (run-batch.events.ts) so a run of hundreds of batches stays a short stream.
 */
export type AnalysisRunStatus = 'pending' | 'running' | 'completed' | 'reviewed' | 'closed' | 'failed' | 'cancelled';

export interface RunWindow {
  start: string;
  end: string;
  sourceIds: string[];
  channels: string[];
}

export interface RunRequestedData {
  runId: string;
  workspaceId: string;
  window: RunWindow;
  agentAssignmentId: string;
  projectConfigId: string | null;
  /** What the run uses, frozen at its start: assignment (agent, task schema, provider without secrets), project, batching. */
  configSnapshot: Record<string, unknown>;
  triggerType: 'manual' | 'scheduled' | 'event';
  triggeredBy: string | null;
  at: string;
}

export interface RunStartedData {
  runId: string;
  totalMessagesInWindow: number;
  messagesAfterPrefilter: number;
  /** Messages dropped by ingestion's noise classification, by label. */
  prefilteredOut: Record<string, number>;
  batchesTotal: number;
  at: string;
}

export interface RunFailure {
  code: string;
  message: string;
}

/** What reviewers made of a run's proposals, once none is pending. */
export interface RunAccuracy {
  reviewed: number;
  approved: number;
  merged: number;
  rejected: number;
  edited: number;
  /** (approved + merged) / reviewed: the share of proposals people kept. */
  precision: number | null;
  avgConfidenceKept: number | null;
  avgConfidenceRejected: number | null;
}

export type AnalysisRunEvent =
  | { type: 'analysis.run-requested'; data: RunRequestedData }
  | { type: 'analysis.run-started'; data: RunStartedData }
  | { type: 'analysis.run-completed'; data: { runId: string; at: string } }
  | { type: 'analysis.run-failed'; data: { runId: string; error: RunFailure; at: string } }
  | { type: 'analysis.run-cancelled'; data: { runId: string; by: string | null; at: string } }
  | { type: 'analysis.run-reviewed'; data: { runId: string; accuracy: RunAccuracy; at: string } }
  | { type: 'analysis.run-closed'; data: { runId: string; by: string | null; at: string } };

export const ANALYSIS_RUN_EVENT_TYPES = [
  'analysis.run-requested',
  'analysis.run-started',
  'analysis.run-completed',
  'analysis.run-failed',
  'analysis.run-cancelled',
  'analysis.run-reviewed',
  'analysis.run-closed',
] as const;
