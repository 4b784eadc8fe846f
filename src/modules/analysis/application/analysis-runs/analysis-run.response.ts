import type { RunCounters, RunErrorLogEntry } from '@modules/analysis/infrastructure/analysis-runs.queries';
import type { AnalysisRunRow } from '@modules/analysis/projections/analysis-runs.projection';

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/**
 * A run as clients read it: the seed's fields (camelCase), progress with an ETA while it runs,
 * and counters counted from its batches and proposals. `proposalsApproved` counts merged
 * proposals too (a merge accepts the work into an existing task); `proposalsMerged` says how many.
 */
export function runResponse(row: AnalysisRunRow, c: RunCounters, failures: RunErrorLogEntry[], now = new Date()) {
  const total = row.batches_created;
  const remaining = Math.max(0, total - c.batchesDone);
  let etaSeconds: number | null = null;
  if (row.status === 'running' && row.started_at && c.batchesDone > 0) {
    const elapsed = (Date.parse(c.lastBatchAt ?? now.toISOString()) - Date.parse(iso(row.started_at)!)) / 1000;
    etaSeconds = Math.max(0, Math.round((elapsed / c.batchesDone) * remaining));
  } else if (row.status === 'running' && total === 0) etaSeconds = null;
  const runError = row.error as { code: string; message: string } | null;
  return {
    id: row.id,
    status: row.status,
    timeWindowStart: iso(row.time_window_start),
    timeWindowEnd: iso(row.time_window_end),
    sourceIds: row.source_ids,
    channels: row.channels,
    agentAssignmentId: row.agent_assignment_id,
    projectConfigId: row.project_config_id,
    configSnapshot: row.config_snapshot,
    triggerType: row.trigger_type,
    triggeredByUserId: row.triggered_by_user_id,
    createdAt: iso(row.created_at),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    reviewedAt: iso(row.reviewed_at),
    closedAt: iso(row.closed_at),
    failedAt: iso(row.failed_at),
    cancelledAt: iso(row.cancelled_at),
    totalMessagesInWindow: row.total_messages_in_window,
    messagesAfterPrefilter: row.messages_after_prefilter,
    prefilteredOut: row.prefiltered_out,
    batchesCreated: total,
    batchesDone: c.batchesDone,
    batchesFailed: c.batchesFailed,
    progress: { batchesDone: c.batchesDone, batchesTotal: total, percent: total ? Math.round((c.batchesDone / total) * 1000) / 10 : row.status === 'pending' ? 0 : 100, etaSeconds },
    proposalsTotal: c.proposalsTotal,
    proposalsApproved: c.proposalsApproved + c.proposalsMerged,
    proposalsMerged: c.proposalsMerged,
    proposalsRejected: c.proposalsRejected,
    proposalsPending: c.proposalsPending,
    proposalsLinked: c.proposalsLinked,
    llmTokensUsed: c.tokensIn + c.tokensOut,
    tokensIn: c.tokensIn,
    tokensOut: c.tokensOut,
    costEstimate: Math.round(c.costUsd * 1e8) / 1e8,
    error: runError,
    errorLog: [...failures, ...(runError ? [{ batchIndex: null, code: runError.code, message: runError.message, at: iso(row.failed_at) }] : [])],
    accuracyMetrics: row.accuracy_metrics,
    version: row.version,
  };
}
