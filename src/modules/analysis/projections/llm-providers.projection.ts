import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { LlmProviderSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { LlmProviderEvent } from '@modules/analysis/domain/llm-provider/llm-provider.decider';
import { changedColumns, configurationKeyOf, ConfigurationRow, configurationRowHandlers } from './configuration-row-handlers';

type D<T extends LlmProviderEvent['type']> = Extract<LlmProviderEvent, { type: T }>['data'];

export interface LlmProviderRow extends ConfigurationRow {
  name: string;
  type: string;
  base_url: string | null;
  /** SecretBox ciphertext; the API never returns it. */
  api_key_encrypted: string | null;
  validation_status: string;
  validation_error: string | null;
  validated_at: string | null;
  validation_attempt: number;
  created_at: string;
}

/** analysis_llm_providers_view (seed 003 llm_providers). Inline: the API reads its own writes. */
export class LlmProvidersProjection extends RowProjection<LlmProviderRow> {
  readonly name = 'analysis.llm-providers';
  readonly table = 'analysis_llm_providers_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return configurationKeyOf(e);
  }

  readonly handlers: Record<string, RowHandler<LlmProviderRow>> = {
    ...configurationRowHandlers<LlmProviderRow, LlmProviderSettings>('llm-provider', {
      created: (s, common) => ({
        ...common,
        name: s.name,
        type: s.type,
        base_url: s.baseUrl,
        api_key_encrypted: s.apiKeyCiphertext,
        validation_status: 'pending',
        validation_error: null,
        validated_at: null,
        validation_attempt: 0,
        created_at: common.at,
      }),
      changed: (c) => changedColumns<LlmProviderSettings, LlmProviderRow>(c, { name: 'name', baseUrl: 'base_url', apiKeyCiphertext: 'api_key_encrypted' }),
    }),
    'analysis.llm-provider-validation-requested': (r, e) => {
      const d = e.data as D<'analysis.llm-provider-validation-requested'>;
      return r ? { ...r, stream_version: e.streamVersion, validation_status: 'pending', validation_error: null, validation_attempt: d.attempt } : null;
    },
    'analysis.llm-provider-validation-started': (r, e) => (r ? { ...r, stream_version: e.streamVersion, validation_status: 'validating' } : null),
    'analysis.llm-provider-validated': (r, e) => {
      const d = e.data as D<'analysis.llm-provider-validated'>;
      return r ? { ...r, stream_version: e.streamVersion, validation_status: d.status, validation_error: d.error, validated_at: d.at } : null;
    },
  };
}
