import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { AnalysisRunsError, AnalysisRunsErrorCode } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { taskProposalDecider } from './task-proposal.decider';
import { ProposalCreatedData, TaskProposalEvent } from './task-proposal.events';

const spec = DeciderSpecification(taskProposalDecider);
const at = '2026-03-04T10:00:00.000Z';
const data: ProposalCreatedData = {
  proposalId: 'p1', runId: 'run-1', title: 'Fix the export', description: 'd', sources: [{ messageId: 'm1', sourceId: 's', sentAt: at, quote: 'q' }], messageCount: 1,
  timeSpanSeconds: 0, confidence: 0.8, reasoning: 'r', priority: 'medium', category: 'bug', recommendation: 'new_task', similarityType: 'none', similarityScore: null,
  similarityMethod: null, similarTaskId: null, proposedParentId: null, tags: [], subTasks: [], diffSummary: null, projectId: null, projectClassificationConfidence: 0,
  projectKeywordsMatched: [], ownerId: null, dueDate: null, at,
};
const created: TaskProposalEvent = { type: 'analysis.task-proposal-created', data };
const approved: TaskProposalEvent = { type: 'analysis.task-proposal-approved', data: { proposalId: 'p1', runId: 'run-1', taskId: 't1', by: 'u', at } };
const alreadyReviewed = (e: AnalysisRunsError) => expect(e.code).toBe(AnalysisRunsErrorCode.ProposalAlreadyReviewed);

describe('task proposal decider: pending -> approved | rejected | merged; re-runs link, never add', () => {
  it('creates it; the same messages found by another run link that run; by the same run, nothing', () => {
    spec.given([]).when({ kind: 'create', ...data }).then([created]);
    spec.given([created]).when({ kind: 'create', ...data, runId: 'run-2', title: 'Other words' }).then([{ type: 'analysis.task-proposal-linked', data: { proposalId: 'p1', runId: 'run-2', at } }]);
    spec.given([created]).when({ kind: 'create', ...data }).thenNothingHappened();
    // A reviewed proposal found again is linked too: a rejected task is not proposed again.
    spec.given([created, { type: 'analysis.task-proposal-rejected', data: { proposalId: 'p1', runId: 'run-1', reason: 'no', by: 'u', at } }])
      .when({ kind: 'create', ...data, runId: 'run-3' })
      .then([{ type: 'analysis.task-proposal-linked', data: { proposalId: 'p1', runId: 'run-3', at } }]);
  });

  it('approves once with its task; the same approval again is a no-op; another review is refused', () => {
    spec.given([created]).when({ kind: 'approve', taskId: 't1', by: 'u', at }).then([approved]);
    spec.given([created, approved]).when({ kind: 'approve', taskId: 't1', by: 'u', at }).thenNothingHappened();
    spec.given([created, approved]).when({ kind: 'reject', reason: 'x', by: 'u', at }).thenThrows(AnalysisRunsError, alreadyReviewed);
    spec.given([created, approved]).when({ kind: 'merge', taskId: 't9', by: 'u', at }).thenThrows(AnalysisRunsError, alreadyReviewed);
  });

  it('rejects with a reason, merges into a task', () => {
    spec.given([created]).when({ kind: 'reject', reason: 'a bare question', by: 'u', at }).then([{ type: 'analysis.task-proposal-rejected', data: { proposalId: 'p1', runId: 'run-1', reason: 'a bare question', by: 'u', at } }]);
    spec.given([created]).when({ kind: 'merge', taskId: 't7', by: 'u', at }).then([{ type: 'analysis.task-proposal-merged', data: { proposalId: 'p1', runId: 'run-1', taskId: 't7', by: 'u', at } }]);
  });

  it('edits only what differs, and only while pending', () => {
    spec.given([created]).when({ kind: 'edit', edits: { title: 'Fix the CSV export', priority: 'medium' }, by: 'u', at }).then([
      { type: 'analysis.task-proposal-edited', data: { proposalId: 'p1', edits: { title: 'Fix the CSV export' }, by: 'u', at } },
    ]);
    spec.given([created]).when({ kind: 'edit', edits: { title: 'Fix the export' }, by: 'u', at }).thenNothingHappened();
    spec.given([created, approved]).when({ kind: 'edit', edits: { title: 'x' }, by: 'u', at }).thenThrows(AnalysisRunsError, alreadyReviewed);
  });

  it('an unknown proposal cannot be reviewed', () => {
    spec.given([]).when({ kind: 'approve', taskId: 't', by: 'u', at }).thenThrows(AnalysisRunsError, (e) => expect(e.code).toBe(AnalysisRunsErrorCode.ProposalNotFound));
  });
});
