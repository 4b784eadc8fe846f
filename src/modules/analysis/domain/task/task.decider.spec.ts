import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { AnalysisRunsError } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { taskDecider } from './task.decider';
import { TaskCreatedData, TaskEvent } from './task.events';

const spec = DeciderSpecification(taskDecider);
const at = '2026-03-04T10:00:00.000Z';
const data: TaskCreatedData = {
  taskId: 't1', title: 'Fix the export', description: 'd', category: 'bug', priority: 'medium', status: 'open', assigneeId: 'u-ana', assigneeSource: 'project_default',
  dueDate: null, aiGenerated: true, confidenceScore: 0.8, classificationData: null, proposalId: 'p1', projectId: 'pr', createdBy: 'u', messages: [{ messageId: 'm1', sourceId: 's', quote: 'q' }], at,
};
const created: TaskEvent = { type: 'analysis.task-created', data };

describe('task decider', () => {
  it('creates once (approving the same proposal again creates nothing)', () => {
    spec.given([]).when({ kind: 'create', ...data }).then([created]);
    spec.given([created]).when({ kind: 'create', ...data }).thenNothingHappened();
  });

  it('updates only what changed', () => {
    spec.given([created]).when({ kind: 'update', changes: { status: 'in_progress', priority: 'medium' }, by: 'u', at }).then([
      { type: 'analysis.task-updated', data: { taskId: 't1', changes: { status: 'in_progress' }, by: 'u', at } },
    ]);
    spec.given([created]).when({ kind: 'update', changes: { status: 'open' }, by: 'u', at }).thenNothingHappened();
  });

  it('links only messages it does not hold yet', () => {
    spec.given([created]).when({ kind: 'link-messages', messages: [{ messageId: 'm1', sourceId: 's', quote: 'q' }, { messageId: 'm2', sourceId: 's', quote: 'r' }], proposalId: null, runId: 'run-2', at }).then([
      { type: 'analysis.task-messages-linked', data: { taskId: 't1', messages: [{ messageId: 'm2', sourceId: 's', quote: 'r' }], proposalId: null, runId: 'run-2', at } },
    ]);
    spec.given([]).when({ kind: 'update', changes: { status: 'closed' }, by: 'u', at }).thenThrows(AnalysisRunsError);
  });
});
