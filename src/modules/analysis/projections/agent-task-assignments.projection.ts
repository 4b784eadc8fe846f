import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AgentTaskAssignmentSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { configurationKeyOf, ConfigurationRow, configurationRowHandlers } from './configuration-row-handlers';

export interface AgentTaskAssignmentRow extends ConfigurationRow {
  agent_id: string;
  task_id: string;
  assigned_at: string;
}

/** analysis_agent_task_assignments_view (seed 003 agent_task_assignments). Inline. */
export class AgentTaskAssignmentsProjection extends RowProjection<AgentTaskAssignmentRow> {
  readonly name = 'analysis.agent-task-assignments';
  readonly table = 'analysis_agent_task_assignments_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return configurationKeyOf(e);
  }

  readonly handlers: Record<string, RowHandler<AgentTaskAssignmentRow>> = configurationRowHandlers<AgentTaskAssignmentRow, AgentTaskAssignmentSettings>('agent-task-assignment', {
    created: (s, common) => ({ ...common, agent_id: s.agentId, task_id: s.taskId, assigned_at: common.at }),
    // The pair is the assignment: it never changes (another pair is another assignment).
    changed: () => ({}),
  });
}
