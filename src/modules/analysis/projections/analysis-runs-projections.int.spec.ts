import { DomainEvent } from '@libs/eventsourcing/decider';
import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { AnalysisRunsProjection } from './analysis-runs.projection';
import { RunBatchesProjection } from './run-batches.projection';
import { TaskProposalsProjection } from './task-proposals.projection';
import { TasksProjection } from './tasks.projection';

const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const runId = '0193a000-0000-7000-8000-0000000000a1';
const run2 = '0193a000-0000-7000-8000-0000000000a2';
const proposalId = '0193a000-0000-7000-8000-0000000000c1';
const taskId = '0193a000-0000-7000-8000-0000000000d1';
const m1 = '0193a000-0000-7000-8000-0000000000e1';
const m2 = '0193a000-0000-7000-8000-0000000000e2';
const at = '2026-03-04T10:00:00.000Z';
const usage = { calls: 2, tokensIn: 100, tokensOut: 20, costUsd: 0.00003 };

describe('analysis runs read models', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const options = { workspaceId };

  it('analysis_runs_view: the lifecycle and window counters; a redelivered event changes nothing', async () => {
    const spec = ProjectionSpecification<DomainEvent>(new AnalysisRunsProjection(), () => db.pool, { ...options, columns: ['id', 'status', 'total_messages_in_window', 'messages_after_prefilter', 'prefiltered_out', 'batches_created', 'error', 'version'] });
    const requested = {
      type: 'analysis.run-requested',
      data: { runId, workspaceId, window: { start: at, end: at, sourceIds: [], channels: ['general'] }, agentAssignmentId: runId, projectConfigId: null, configSnapshot: { engine: 'builtin' }, triggerType: 'manual', triggeredBy: 'u1', at },
    };
    const started = { type: 'analysis.run-started', data: { runId, totalMessagesInWindow: 10, messagesAfterPrefilter: 8, prefilteredOut: { noise: 2 }, batchesTotal: 2, at } };
    const base = { id: runId, total_messages_in_window: 0, messages_after_prefilter: 0, prefiltered_out: {}, batches_created: 0, error: null };
    await spec.given([]).when([requested]).then([{ ...base, status: 'pending', version: 1 }]);
    await spec.given([requested]).when([started, started]).then([{ ...base, status: 'running', total_messages_in_window: 10, messages_after_prefilter: 8, prefiltered_out: { noise: 2 }, batches_created: 2, version: 2 }]);
    await spec
      .given([requested, started])
      .when([{ type: 'analysis.run-failed', data: { runId, error: { code: 'BUDGET_EXCEEDED', message: 'spent' }, at } }])
      .then([{ ...base, status: 'failed', total_messages_in_window: 10, messages_after_prefilter: 8, prefiltered_out: { noise: 2 }, batches_created: 2, error: { code: 'BUDGET_EXCEEDED', message: 'spent' }, version: 3 }]);
  });

  it('analysis_run_batches_view: messages planned, then the result with usage or the failure', async () => {
    const spec = ProjectionSpecification<DomainEvent>(new RunBatchesProjection(), () => db.pool, { ...options, columns: ['id', 'run_id', 'batch_index', 'message_ids', 'status', 'tasks_found', 'calls', 'tokens_in', 'tokens_out', 'cost_usd', 'error'] });
    const planned = { type: 'analysis.run-batch-planned', data: { runId, batchIndex: 0, messageIds: [m1, m2], estimatedTokens: 40 } };
    const row = { id: `${runId}-0`, run_id: runId, batch_index: 0, message_ids: [m1, m2], status: 'planned', tasks_found: 0, calls: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0, error: null };
    await spec.given([]).when([planned]).then([row]);
    await spec.given([planned]).when([{ type: 'analysis.run-batch-completed', data: { runId, batchIndex: 0, tasks: [{}, {}], dropped: 0, usage, at } }]).then([{ ...row, status: 'completed', tasks_found: 2, calls: 2, tokens_in: 100, tokens_out: 20, cost_usd: 0.00003 }]);
    const error = { code: 'INVALID_ANSWER', message: 'schema' };
    await spec.given([planned]).when([{ type: 'analysis.run-batch-failed', data: { runId, batchIndex: 0, error, usage, at } }]).then([{ ...row, status: 'failed', calls: 2, tokens_in: 100, tokens_out: 20, cost_usd: 0.00003, error }]);
  });

  it('analysis_task_proposals_view: created, linked by another run (once), edited, reviewed', async () => {
    const spec = ProjectionSpecification<DomainEvent>(new TaskProposalsProjection(), () => db.pool, { ...options, streamId: `analysis-task-proposal-${proposalId}`, columns: ['id', 'analysis_run_id', 'included_in_runs', 'proposed_title', 'source_message_ids', 'status', 'edited', 'reject_reason', 'task_id', 'version'] });
    const created = {
      type: 'analysis.task-proposal-created',
      data: {
        proposalId, runId, title: 'Fix the export', description: 'd', sources: [{ messageId: m1, sourceId: null, sentAt: at, quote: 'q' }], messageCount: 1, timeSpanSeconds: 0, confidence: 0.8, reasoning: 'r',
        priority: 'medium', category: 'bug', recommendation: 'new_task', similarityType: 'none', similarityScore: null, similarityMethod: null, similarTaskId: null, proposedParentId: null,
        tags: [], subTasks: [], diffSummary: null, projectId: null, projectClassificationConfidence: 0, projectKeywordsMatched: [], ownerId: null, dueDate: null, at,
      },
    };
    const row = { id: proposalId, analysis_run_id: runId, included_in_runs: [runId], proposed_title: 'Fix the export', source_message_ids: [m1], status: 'pending', edited: false, reject_reason: null, task_id: null, version: 1 };
    const linked = { type: 'analysis.task-proposal-linked', data: { proposalId, runId: run2, at } };
    await spec.given([created]).when([linked, linked]).then([{ ...row, included_in_runs: [runId, run2], version: 2 }]);
    await spec
      .given([created])
      .when([{ type: 'analysis.task-proposal-edited', data: { proposalId, edits: { title: 'Fix the CSV export' }, by: 'u', at } }, { type: 'analysis.task-proposal-approved', data: { proposalId, runId, taskId, by: 'u', at } }])
      .then([{ ...row, proposed_title: 'Fix the CSV export', edited: true, status: 'approved', task_id: taskId, version: 3 }]);
    await spec.given([created]).when([{ type: 'analysis.task-proposal-rejected', data: { proposalId, runId, reason: 'not a task', by: 'u', at } }]).then([{ ...row, status: 'rejected', reject_reason: 'not a task', version: 2 }]);
  });

  it('analysis_tasks_view: created with its messages, updated, more messages linked once', async () => {
    const spec = ProjectionSpecification<DomainEvent>(new TasksProjection(), () => db.pool, { ...options, streamId: `analysis-task-${taskId}`, columns: ['id', 'status', 'assigned_to', 'assignee_source', 'message_ids', 'source_message_id', 'version'] });
    const created = {
      type: 'analysis.task-created',
      data: {
        taskId, title: 't', description: 'd', category: 'bug', priority: 'high', status: 'open', assigneeId: 'u-default', assigneeSource: 'project_default', dueDate: null, aiGenerated: true, confidenceScore: 0.8,
        classificationData: null, proposalId, projectId: null, createdBy: 'u', messages: [{ messageId: m1, sourceId: null, quote: 'q' }], at,
      },
    };
    const row = { id: taskId, status: 'open', assigned_to: 'u-default', assignee_source: 'project_default', message_ids: [m1], source_message_id: m1, version: 1 };
    await spec.given([]).when([created]).then([row]);
    await spec.given([created]).when([{ type: 'analysis.task-updated', data: { taskId, changes: { status: 'in_progress', assigneeId: 'u-ana' }, by: 'u', at } }]).then([{ ...row, status: 'in_progress', assigned_to: 'u-ana', assignee_source: 'manual', version: 2 }]);
    const link = { type: 'analysis.task-messages-linked', data: { taskId, messages: [{ messageId: m1, sourceId: null, quote: 'q' }, { messageId: m2, sourceId: null, quote: 'r' }], proposalId: null, runId: run2, at } };
    await spec.given([created]).when([link, link]).then([{ ...row, message_ids: [m1, m2], version: 2 }]);
  });
});
