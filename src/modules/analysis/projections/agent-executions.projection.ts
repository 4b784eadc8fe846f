import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AgentExecutionEvent } from '@modules/analysis/domain/agent-execution/agent-execution.decider';

type D<T extends AgentExecutionEvent['type']> = Extract<AgentExecutionEvent, { type: T }>['data'];

export interface AgentExecutionRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  agent_id: string;
  /** The agent's owner, whose execution it is. */
  user_id: string | null;
  trigger_type: string;
  trigger_data: Record<string, unknown> | null;
  status: string;
  input: Record<string, unknown>;
  output: Record<string, unknown> | null;
  error: string | null;
  requested_by: string | null;
  started_at: string | Date | null;
  completed_at: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
}

/** analysis_agent_executions_view (seed 004 agent_executions). Inline: the API reads its own writes. */
export class AgentExecutionsProjection extends RowProjection<AgentExecutionRow> {
  readonly name = 'analysis.agent-executions';
  readonly table = 'analysis_agent_executions_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { executionId: string }).executionId;
  }

  readonly handlers: Record<string, RowHandler<AgentExecutionRow>> = {
    'analysis.agent-execution-requested': (r, e) => {
      if (r) return r;
      const d = e.data as D<'analysis.agent-execution-requested'>;
      return {
        id: d.executionId,
        workspace_id: d.workspaceId,
        agent_id: d.agentId,
        user_id: d.ownerId,
        trigger_type: d.triggerType,
        trigger_data: d.triggerData,
        status: 'pending',
        input: d.input,
        output: null,
        error: null,
        requested_by: d.requestedBy,
        started_at: null,
        completed_at: null,
        created_at: d.at,
        updated_at: d.at,
      };
    },
    'analysis.agent-execution-started': (r, e) => {
      const d = e.data as D<'analysis.agent-execution-started'>;
      return r && { ...r, status: 'running', started_at: d.at, updated_at: d.at };
    },
    'analysis.agent-execution-completed': (r, e) => {
      const d = e.data as D<'analysis.agent-execution-completed'>;
      return r && { ...r, status: 'completed', output: d.output, completed_at: d.at, updated_at: d.at };
    },
    'analysis.agent-execution-failed': (r, e) => {
      const d = e.data as D<'analysis.agent-execution-failed'>;
      return r && { ...r, status: 'failed', error: d.error, completed_at: d.at, updated_at: d.at };
    },
  };
}
