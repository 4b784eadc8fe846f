import { Decider } from '@libs/eventsourcing/decider';
import { AnalysisRunsError, AnalysisRunsErrorCode } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { ProposalCreatedData, ProposalEdits, ProposalStatus, TaskProposalEvent } from './task-proposal.events';

export interface TaskProposalState {
  proposal: ProposalCreatedData | null;
  status: ProposalStatus | null;
  runs: string[];
  taskId: string | null;
}

export type TaskProposalCommand =
  | ({ kind: 'create' } & ProposalCreatedData)
  | { kind: 'edit'; edits: ProposalEdits; by: string | null; at: string }
  | { kind: 'approve'; taskId: string; by: string | null; at: string }
  | { kind: 'reject'; reason: string; by: string | null; at: string }
  | { kind: 'merge'; taskId: string; by: string | null; at: string };

const notFound = () => new AnalysisRunsError(AnalysisRunsErrorCode.ProposalNotFound, 'No such task proposal');
const reviewed = (status: ProposalStatus | null) =>
  new AnalysisRunsError(AnalysisRunsErrorCode.ProposalAlreadyReviewed, `The proposal is already ${status}`, { status });

export const taskProposalDecider: Decider<TaskProposalCommand, TaskProposalState, TaskProposalEvent> = {
  initialState: () => ({ proposal: null, status: null, runs: [], taskId: null }),

  evolve(state, event) {
    switch (event.type) {
      case 'analysis.task-proposal-created':
        return { proposal: event.data, status: 'pending', runs: [event.data.runId], taskId: null };
      case 'analysis.task-proposal-linked':
        return { ...state, runs: [...state.runs, event.data.runId] };
      case 'analysis.task-proposal-edited':
        return { ...state, proposal: { ...state.proposal!, ...event.data.edits } };
      case 'analysis.task-proposal-approved':
        return { ...state, status: 'approved', taskId: event.data.taskId };
      case 'analysis.task-proposal-rejected':
        return { ...state, status: 'rejected' };
      case 'analysis.task-proposal-merged':
        return { ...state, status: 'merged', taskId: event.data.taskId };
    }
  },

  decide(command, state) {
    if (command.kind === 'create') {
      const { kind: _kind, ...data } = command;
      if (!state.proposal) return { type: 'analysis.task-proposal-created', data };
      // Found again by another run: link the run once; the first proposal stays as reviewed.
      if (state.runs.includes(command.runId)) return [];
      return { type: 'analysis.task-proposal-linked', data: { proposalId: state.proposal.proposalId, runId: command.runId, at: command.at } };
    }
    if (!state.proposal) throw notFound();
    const { proposalId, runId } = state.proposal;
    switch (command.kind) {
      case 'edit': {
        if (state.status !== 'pending') throw reviewed(state.status);
        const edits: ProposalEdits = {};
        for (const [key, value] of Object.entries(command.edits) as [keyof ProposalEdits, unknown][]) {
          if (value !== undefined && state.proposal[key] !== value) (edits as Record<string, unknown>)[key] = value;
        }
        if (Object.keys(edits).length === 0) return [];
        return { type: 'analysis.task-proposal-edited', data: { proposalId, edits, by: command.by, at: command.at } };
      }
      case 'approve':
        // The same approval again (a retried request) is a no-op; any other review is refused.
        if (state.status === 'approved' && state.taskId === command.taskId) return [];
        if (state.status !== 'pending') throw reviewed(state.status);
        return { type: 'analysis.task-proposal-approved', data: { proposalId, runId, taskId: command.taskId, by: command.by, at: command.at } };
      case 'reject':
        if (state.status === 'rejected') return [];
        if (state.status !== 'pending') throw reviewed(state.status);
        return { type: 'analysis.task-proposal-rejected', data: { proposalId, runId, reason: command.reason, by: command.by, at: command.at } };
      case 'merge':
        if (state.status === 'merged' && state.taskId === command.taskId) return [];
        if (state.status !== 'pending') throw reviewed(state.status);
        return { type: 'analysis.task-proposal-merged', data: { proposalId, runId, taskId: command.taskId, by: command.by, at: command.at } };
    }
  },
};
