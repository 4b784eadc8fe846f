import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';

/**
 * One run of an AI agent (seed 004 agent_executions): triggered manually (a person's input),
 * by its schedule (a cron slot) or by an event (trigger_data names it). pending -> running ->
 * completed (output) | failed (error).
 */
export type TriggerType = 'manual' | 'scheduled' | 'event';
export type ExecutionStatus = 'pending' | 'running' | 'completed' | 'failed';

export const EXECUTION_ERROR_MAX = 2000;

export type AgentExecutionEvent =
  | {
      type: 'analysis.agent-execution-requested';
      data: {
        executionId: string;
        agentId: string;
        /** The agent's owner: the execution is theirs (privateTo in the log). */
        ownerId: string | null;
        workspaceId: string;
        triggerType: TriggerType;
        triggerData: Record<string, unknown> | null;
        input: Record<string, unknown>;
        requestedBy: string | null;
        at: string;
      };
    }
  | { type: 'analysis.agent-execution-started'; data: { executionId: string; ownerId: string | null; at: string } }
  | { type: 'analysis.agent-execution-completed'; data: { executionId: string; ownerId: string | null; output: Record<string, unknown>; at: string } }
  | { type: 'analysis.agent-execution-failed'; data: { executionId: string; ownerId: string | null; error: string; at: string } };

export type AgentExecutionState = { status: 'none' } | { status: ExecutionStatus; executionId: string; agentId: string; ownerId: string | null; workspaceId: string };

export type AgentExecutionCommand =
  | {
      kind: 'request';
      executionId: string;
      agentId: string;
      ownerId: string | null;
      workspaceId: string;
      triggerType: TriggerType;
      triggerData: Record<string, unknown> | null;
      input: Record<string, unknown>;
      requestedBy: string | null;
      now: Date;
    }
  | { kind: 'start'; now: Date }
  | { kind: 'complete'; output: Record<string, unknown>; now: Date }
  | { kind: 'fail'; error: string; now: Date };

function existing(s: AgentExecutionState) {
  if (s.status === 'none') throw new AiAgentsError(Code.ExecutionNotFound, 'No such execution');
  return s;
}

export const agentExecutionDecider: Decider<AgentExecutionCommand, AgentExecutionState, AgentExecutionEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'analysis.agent-execution-requested':
        return { status: 'pending', executionId: e.data.executionId, agentId: e.data.agentId, ownerId: e.data.ownerId ?? null, workspaceId: e.data.workspaceId };
      case 'analysis.agent-execution-started':
        return s.status === 'none' ? s : { ...s, status: 'running' };
      case 'analysis.agent-execution-completed':
        return s.status === 'none' ? s : { ...s, status: 'completed' };
      case 'analysis.agent-execution-failed':
        return s.status === 'none' ? s : { ...s, status: 'failed' };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'request': {
        // Deterministic ids (event, slot, Idempotency-Key) make a repeated trigger a no-op.
        if (s.status !== 'none') return [];
        const { kind: _kind, now: _now, ...data } = c;
        return { type: 'analysis.agent-execution-requested', data: { ...data, at } };
      }
      case 'start': {
        const x = existing(s);
        return x.status === 'pending' ? { type: 'analysis.agent-execution-started', data: { executionId: x.executionId, ownerId: x.ownerId, at } } : [];
      }
      case 'complete': {
        const x = existing(s);
        if (x.status === 'completed') return [];
        if (x.status !== 'running') throw new AiAgentsError(Code.InvalidTransition, `A ${x.status} execution cannot complete`, { status: x.status });
        return { type: 'analysis.agent-execution-completed', data: { executionId: x.executionId, ownerId: x.ownerId, output: c.output, at } };
      }
      case 'fail': {
        const x = existing(s);
        if (x.status === 'completed' || x.status === 'failed') return [];
        return { type: 'analysis.agent-execution-failed', data: { executionId: x.executionId, ownerId: x.ownerId, error: c.error.slice(0, EXECUTION_ERROR_MAX), at } };
      }
      default:
        return assertNever(c);
    }
  },
};
