import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ProjectConfigSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { changedColumns, configurationKeyOf, ConfigurationRow, configurationRowHandlers } from './configuration-row-handlers';

export interface ProjectConfigRow extends ConfigurationRow {
  name: string;
  description: string;
  keywords: string[];
  glossary: Record<string, string>;
  components: Record<string, unknown>[];
  default_assignee_ids: string[];
  pm_user_id: string;
  priority_rules: Record<string, unknown>;
  version: string;
  created_at: string;
}

/** analysis_project_configs_view (seed 003 project_configs). Inline. */
export class ProjectConfigsProjection extends RowProjection<ProjectConfigRow> {
  readonly name = 'analysis.project-configs';
  readonly table = 'analysis_project_configs_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return configurationKeyOf(e);
  }

  readonly handlers: Record<string, RowHandler<ProjectConfigRow>> = configurationRowHandlers<ProjectConfigRow, ProjectConfigSettings>('project-config', {
    created: (s, common) => ({
      ...common,
      name: s.name,
      description: s.description,
      keywords: s.keywords,
      glossary: s.glossary,
      components: s.components,
      default_assignee_ids: s.defaultAssigneeIds,
      pm_user_id: s.pmUserId,
      priority_rules: s.priorityRules,
      version: s.version,
      created_at: common.at,
    }),
    changed: (c) =>
      changedColumns<ProjectConfigSettings, ProjectConfigRow>(c, {
        name: 'name',
        description: 'description',
        keywords: 'keywords',
        glossary: 'glossary',
        components: 'components',
        defaultAssigneeIds: 'default_assignee_ids',
        pmUserId: 'pm_user_id',
        priorityRules: 'priority_rules',
        version: 'version',
      }),
  });
}
