import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { TaskConfigSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { changedColumns, configurationKeyOf, ConfigurationRow, configurationRowHandlers } from './configuration-row-handlers';

export interface TaskConfigRow extends ConfigurationRow {
  name: string;
  description: string | null;
  response_schema: Record<string, unknown>;
  created_at: string;
}

/** analysis_task_configs_view (seed 003 task_configs). Inline. */
export class TaskConfigsProjection extends RowProjection<TaskConfigRow> {
  readonly name = 'analysis.task-configs';
  readonly table = 'analysis_task_configs_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return configurationKeyOf(e);
  }

  readonly handlers: Record<string, RowHandler<TaskConfigRow>> = configurationRowHandlers<TaskConfigRow, TaskConfigSettings>('task-config', {
    created: (s, common) => ({ ...common, name: s.name, description: s.description, response_schema: s.responseSchema, created_at: common.at }),
    changed: (c) => changedColumns<TaskConfigSettings, TaskConfigRow>(c, { name: 'name', description: 'description', responseSchema: 'response_schema' }),
  });
}
