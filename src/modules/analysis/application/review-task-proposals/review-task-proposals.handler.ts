import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ApplicationError, ValidationFailedError } from '@libs/common/errors/application-error';
import { uuidV5 } from '@libs/common/ids/uuid-v5';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { AnalysisModels } from '@modules/analysis/application/analysis-models';
import { accuracyOf } from '@modules/analysis/application/run-execution/run-steps';
import { AnalysisRunsError, AnalysisRunsErrorCode } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { ProposalEdits } from '@modules/analysis/domain/task-proposal/task-proposal.events';
import { AssigneeSource, TaskCategory, TaskPriority } from '@modules/analysis/domain/task/task.events';
import { AnalysisRunsAggregates } from '@modules/analysis/infrastructure/analysis-runs.aggregates';
import { AnalysisRunsQueries } from '@modules/analysis/infrastructure/analysis-runs.queries';
import type { TaskProposalRow } from '@modules/analysis/projections/task-proposals.projection';
import { proposalResponse } from './task-proposal.response';

/** Namespace of the task ids made from proposals: approving again reaches the same task. */
const TASK_NAMESPACE = 'c5f3d1a2-8e4b-4f6a-9c7d-1b2a3c4d5e6f';
export const taskIdOfProposal = (proposalId: string) => uuidV5(`task|${proposalId}`, TASK_NAMESPACE);

const notFound = (id: string) => new AnalysisRunsError(AnalysisRunsErrorCode.ProposalNotFound, 'No such task proposal', { proposalId: id });

/**
 * Review of proposals by people: approve (creates the task), reject with a reason, merge into an
 * existing task, edit (then approve), in bulk. After each, a completed run with no proposal left
 * pending becomes reviewed, with its accuracy.
 */
@Injectable()
export class ReviewTaskProposals {
  constructor(
    private readonly aggregates: AnalysisRunsAggregates,
    private readonly queries: AnalysisRunsQueries,
    private readonly models: AnalysisModels,
  ) {}

  async get(workspaceId: string, proposalId: string) {
    const row = await this.row(workspaceId, proposalId);
    return proposalResponse(row, await this.queries.includedInRuns(workspaceId, row.source_message_ids));
  }

  async list(workspaceId: string, f: { runId?: string; status?: string; cursor?: string; limit: number }) {
    const page = await this.queries.proposals(workspaceId, f);
    const runs = await this.queries.includedInRuns(workspaceId, [...new Set(page.items.flatMap((p) => p.source_message_ids))]);
    return { items: page.items.map((p) => proposalResponse(p, runs)), nextCursor: page.nextCursor };
  }

  async edit(workspaceId: string, proposalId: string, edits: ProposalEdits, meta: CommandMetadata) {
    await this.row(workspaceId, proposalId);
    await this.aggregates.proposal.handle(proposalId, { kind: 'edit', edits, by: meta.actorId, at: meta.now.toISOString() }, meta, { fingerprint: edits });
    return this.get(workspaceId, proposalId);
  }

  async approve(workspaceId: string, proposalId: string, edits: ProposalEdits | undefined, meta: CommandMetadata) {
    let row = await this.row(workspaceId, proposalId);
    const secondary = internal(meta);
    if (edits && Object.keys(edits).length) {
      if (row.status !== 'pending') throw new AnalysisRunsError(AnalysisRunsErrorCode.ProposalAlreadyReviewed, `The proposal is already ${row.status}`, { status: row.status });
      await this.aggregates.proposal.handle(proposalId, { kind: 'edit', edits, by: meta.actorId, at: meta.now.toISOString() }, secondary);
      row = await this.row(workspaceId, proposalId);
    }
    const taskId = taskIdOfProposal(proposalId);
    await this.aggregates.proposal.handle(proposalId, { kind: 'approve', taskId, by: meta.actorId, at: meta.now.toISOString() }, { ...meta, expectedVersion: edits ? undefined : meta.expectedVersion }, { fingerprint: { approve: proposalId, edits } });
    await this.createTask(workspaceId, row, taskId, secondary);
    await this.markRunReviewedIfDone(row.analysis_run_id, secondary);
    return { proposal: await this.get(workspaceId, proposalId), taskId };
  }

  async reject(workspaceId: string, proposalId: string, reason: string, meta: CommandMetadata) {
    const row = await this.row(workspaceId, proposalId);
    await this.aggregates.proposal.handle(proposalId, { kind: 'reject', reason, by: meta.actorId, at: meta.now.toISOString() }, meta, { fingerprint: { reject: proposalId, reason } });
    await this.markRunReviewedIfDone(row.analysis_run_id, internal(meta));
    return { proposal: await this.get(workspaceId, proposalId) };
  }

  async merge(workspaceId: string, proposalId: string, taskId: string, meta: CommandMetadata) {
    const row = await this.row(workspaceId, proposalId);
    const task = await this.queries.task(workspaceId, taskId);
    if (!task) throw new AnalysisRunsError(AnalysisRunsErrorCode.TaskNotFound, 'No such task', { taskId });
    await this.aggregates.proposal.handle(proposalId, { kind: 'merge', taskId, by: meta.actorId, at: meta.now.toISOString() }, meta, { fingerprint: { merge: proposalId, taskId } });
    const sources = row.source_messages as { messageId: string; sourceId: string | null; quote: string }[];
    await this.aggregates.task.handle(taskId, { kind: 'link-messages', messages: sources.map((s) => ({ messageId: s.messageId, sourceId: s.sourceId, quote: s.quote })), proposalId, runId: row.analysis_run_id, at: meta.now.toISOString() }, internal(meta));
    await this.markRunReviewedIfDone(row.analysis_run_id, internal(meta));
    return { proposal: await this.get(workspaceId, proposalId), taskId };
  }

  /** Each proposal on its own: one refused (already reviewed, unknown) does not stop the others. */
  async bulk(workspaceId: string, action: 'approve' | 'reject', ids: string[], reason: string | undefined, meta: CommandMetadata) {
    if (action === 'reject' && !reason) throw new ValidationFailedError('A rejection needs a reason', [{ field: 'reason', message: 'is required to reject' }]);
    const each = internal(meta);
    const results: { proposalId: string; status: string; taskId?: string; error?: { code: string; message: string } }[] = [];
    for (const id of [...new Set(ids)]) {
      try {
        if (action === 'approve') {
          const r = await this.approve(workspaceId, id, undefined, each);
          results.push({ proposalId: id, status: r.proposal.status, taskId: r.taskId });
        } else {
          const r = await this.reject(workspaceId, id, reason!, each);
          results.push({ proposalId: id, status: r.proposal.status });
        }
      } catch (err) {
        if (!(err instanceof ApplicationError)) throw err;
        results.push({ proposalId: id, status: 'refused', error: { code: err.code, message: err.message } });
      }
    }
    return { results, succeeded: results.filter((r) => !r.error).length, refused: results.filter((r) => r.error).length };
  }

  private async row(workspaceId: string, proposalId: string): Promise<TaskProposalRow> {
    const row = isUUID(proposalId) ? await this.queries.proposal(workspaceId, proposalId) : null;
    if (!row) throw notFound(proposalId);
    return row;
  }

  /**
   * The approved proposal's task. The owner the messages name is kept as `extracted`; with none,
   * the project's first default assignee takes it, marked `project_default` (never shown as extracted).
   */
  private async createTask(workspaceId: string, row: TaskProposalRow, taskId: string, meta: CommandMetadata): Promise<void> {
    let assigneeId: string | null = row.owner_id;
    let assigneeSource: AssigneeSource | null = assigneeId ? 'extracted' : null;
    if (!assigneeId && row.proposed_project_id) {
      const project = await this.models.project(workspaceId, row.proposed_project_id);
      const fallback = project?.defaultAssigneeIds[0];
      if (fallback) {
        assigneeId = fallback;
        assigneeSource = 'project_default';
      }
    }
    const sources = row.source_messages as { messageId: string; sourceId: string | null; quote: string }[];
    await this.aggregates.task.handle(
      taskId,
      {
        kind: 'create',
        taskId,
        title: row.proposed_title,
        description: row.proposed_description,
        category: row.proposed_category as TaskCategory,
        priority: row.proposed_priority as TaskPriority,
        status: 'open',
        assigneeId,
        assigneeSource,
        dueDate: row.due_date,
        aiGenerated: true,
        confidenceScore: row.confidence,
        classificationData: { projectId: row.proposed_project_id, confidence: row.project_classification_confidence, keywordsMatched: row.project_keywords_matched, runId: row.analysis_run_id },
        proposalId: row.id,
        projectId: row.proposed_project_id,
        createdBy: meta.actorId,
        messages: sources.map((s) => ({ messageId: s.messageId, sourceId: s.sourceId, quote: s.quote })),
        at: meta.now.toISOString(),
      },
      meta,
    );
  }

  private async markRunReviewedIfDone(runId: string, meta: CommandMetadata): Promise<void> {
    const pending = await this.queries.pendingProposals(runId);
    if (pending > 0) return;
    const accuracy = accuracyOf(await this.queries.reviewOutcomes(runId));
    await this.aggregates.run.handle(runId, { kind: 'mark-reviewed', pendingProposals: pending, accuracy, at: meta.now.toISOString() }, meta);
  }
}

/** Appends that follow the reviewed one: never the caller's key or version. */
function internal(meta: CommandMetadata): CommandMetadata {
  return { ...meta, idempotencyKey: undefined, expectedVersion: undefined };
}
