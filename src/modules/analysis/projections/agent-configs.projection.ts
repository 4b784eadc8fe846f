import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AgentConfigSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { changedColumns, configurationKeyOf, ConfigurationRow, configurationRowHandlers } from './configuration-row-handlers';

export interface AgentConfigRow extends ConfigurationRow {
  name: string;
  provider_id: string;
  model_name: string;
  system_prompt: string;
  description: string | null;
  temperature: number;
  max_tokens: number | null;
  created_at: string;
}

/** analysis_agent_configs_view (seed 003 agent_configs). Inline. */
export class AgentConfigsProjection extends RowProjection<AgentConfigRow> {
  readonly name = 'analysis.agent-configs';
  readonly table = 'analysis_agent_configs_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return configurationKeyOf(e);
  }

  readonly handlers: Record<string, RowHandler<AgentConfigRow>> = configurationRowHandlers<AgentConfigRow, AgentConfigSettings>('agent-config', {
    created: (s, common) => ({
      ...common,
      name: s.name,
      provider_id: s.providerId,
      model_name: s.modelName,
      system_prompt: s.systemPrompt,
      description: s.description,
      temperature: s.temperature,
      max_tokens: s.maxTokens,
      created_at: common.at,
    }),
    changed: (c) =>
      changedColumns<AgentConfigSettings, AgentConfigRow>(c, {
        name: 'name',
        providerId: 'provider_id',
        modelName: 'model_name',
        systemPrompt: 'system_prompt',
        description: 'description',
        temperature: 'temperature',
        maxTokens: 'max_tokens',
      }),
  });
}
