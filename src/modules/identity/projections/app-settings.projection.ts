import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AppSettingEvent } from '@modules/identity/domain/app-setting/app-setting.decider';

type Data<T extends AppSettingEvent['type']> = Extract<AppSettingEvent, { type: T }>['data'];

export interface AppSettingRow extends Record<string, unknown> {
  key: string;
  value: string;
  created_at: string;
  updated_at: string;
}

/** identity_app_settings_view (seed 002 app_settings). */
export class AppSettingsProjection extends RowProjection<AppSettingRow> {
  readonly name = 'identity.app-settings';
  readonly table = 'identity_app_settings_view';
  override readonly keyColumn = 'key';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { key: string }).key;
  }

  readonly handlers: Record<string, RowHandler<AppSettingRow>> = {
    'identity.app-setting-set': (r, e) => {
      const d = e.data as Data<'identity.app-setting-set'>;
      return { key: d.key, value: d.value, created_at: r?.created_at ?? d.at, updated_at: d.at };
    },
    'identity.app-setting-deleted': () => null,
  };
}
