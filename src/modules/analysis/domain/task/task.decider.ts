import { Decider } from '@libs/eventsourcing/decider';
import { AnalysisRunsError, AnalysisRunsErrorCode } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { TaskChanges, TaskCreatedData, TaskEvent, TaskMessageLink, TaskStatus } from './task.events';

export interface TaskState {
  exists: boolean;
  taskId: string;
  status: TaskStatus | null;
  messageIds: string[];
  values: Required<Omit<TaskChanges, 'status'>> | null;
}

export type TaskCommand =
  | ({ kind: 'create' } & TaskCreatedData)
  | { kind: 'update'; changes: TaskChanges; by: string | null; at: string }
  | { kind: 'link-messages'; messages: TaskMessageLink[]; proposalId: string | null; runId: string | null; at: string };

const notFound = () => new AnalysisRunsError(AnalysisRunsErrorCode.TaskNotFound, 'No such task');

export const taskDecider: Decider<TaskCommand, TaskState, TaskEvent> = {
  initialState: () => ({ exists: false, taskId: '', status: null, messageIds: [], values: null }),

  evolve(state, event) {
    switch (event.type) {
      case 'analysis.task-created': {
        const d = event.data;
        return {
          exists: true,
          taskId: d.taskId,
          status: d.status,
          messageIds: d.messages.map((m) => m.messageId),
          values: { title: d.title, description: d.description, category: d.category, priority: d.priority, assigneeId: d.assigneeId, dueDate: d.dueDate },
        };
      }
      case 'analysis.task-updated': {
        const { status, ...rest } = event.data.changes;
        return { ...state, status: status ?? state.status, values: { ...state.values!, ...rest } };
      }
      case 'analysis.task-messages-linked':
        return { ...state, messageIds: [...state.messageIds, ...event.data.messages.map((m) => m.messageId)] };
    }
  },

  decide(command, state) {
    switch (command.kind) {
      case 'create': {
        // The task of a proposal has an id derived from it: approving again creates nothing.
        if (state.exists) return [];
        const { kind: _kind, ...data } = command;
        return { type: 'analysis.task-created', data };
      }
      case 'update': {
        if (!state.exists) throw notFound();
        // Only what differs is recorded: a PATCH repeating the current values appends nothing.
        const changes: TaskChanges = {};
        for (const [key, value] of Object.entries(command.changes) as [keyof TaskChanges, unknown][]) {
          if (value === undefined) continue;
          const current = key === 'status' ? state.status : state.values![key as keyof NonNullable<TaskState['values']>];
          if (current !== value) (changes as Record<string, unknown>)[key] = value;
        }
        if (Object.keys(changes).length === 0) return [];
        return { type: 'analysis.task-updated', data: { taskId: state.taskId, changes, by: command.by, at: command.at } };
      }
      case 'link-messages': {
        if (!state.exists) throw notFound();
        const fresh = command.messages.filter((m) => !state.messageIds.includes(m.messageId));
        if (fresh.length === 0) return [];
        return { type: 'analysis.task-messages-linked', data: { taskId: state.taskId, messages: fresh, proposalId: command.proposalId, runId: command.runId, at: command.at } };
      }
    }
  },
};
