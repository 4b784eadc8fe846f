import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler } from '@libs/eventsourcing/projections/row-projection';
import { configurationEventTypes, ConfigurationKind } from '@modules/analysis/domain/configuration/configuration-item.decider';

/** Columns every configuration read model has. */
export interface ConfigurationRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  is_active: boolean;
  stream_version: number;
  created_by: string | null;
  updated_at: string;
}

/**
 * The four handlers of a configuration item's life (created, changed, active-changed, deleted)
 * for one read model: `created` makes the row from the settings, `changed` maps the changed
 * settings onto columns. Every event moves the row's stream version (its ETag).
 */
export function configurationRowHandlers<Row extends ConfigurationRow, S>(
  kind: ConfigurationKind,
  map: {
    created: (settings: S, common: ConfigurationRow & { at: string }, e: RecordedEvent) => Row;
    changed: (changes: Partial<S>) => Partial<Row>;
  },
): Record<string, RowHandler<Row>> {
  const types = configurationEventTypes(kind);
  const moved = (r: Row, e: RecordedEvent, at: string): Row => ({ ...r, stream_version: e.streamVersion, updated_at: at });
  return {
    [types.created]: (r, e) => {
      // A redelivered create: the row already holds it and what came after.
      if (r) return r;
      const d = e.data as { id: string; workspaceId: string; settings: S; at: string };
      return map.created(d.settings, { id: d.id, workspace_id: d.workspaceId, is_active: true, stream_version: e.streamVersion, created_by: e.actorId, updated_at: d.at, at: d.at }, e);
    },
    [types.changed]: (r, e) => {
      const d = e.data as { changes: Partial<S>; at: string };
      return r ? { ...moved(r, e, d.at), ...map.changed(d.changes) } : null;
    },
    [types.activeChanged]: (r, e) => {
      const d = e.data as { active: boolean; at: string };
      return r ? { ...moved(r, e, d.at), is_active: d.active } : null;
    },
    [types.deleted]: () => null,
  };
}

/** Copies the settings present in `changes` onto their columns. */
export function changedColumns<S, Row>(changes: Partial<S>, columns: { [K in keyof S]?: keyof Row }): Partial<Row> {
  const out: Partial<Row> = {};
  for (const [setting, column] of Object.entries(columns) as [keyof S, keyof Row][]) {
    if (changes[setting] !== undefined) out[column] = changes[setting] as unknown as Row[keyof Row];
  }
  return out;
}

/** keyOf for configuration events: every one carries the item's id. */
export const configurationKeyOf = (e: RecordedEvent): string => (e.data as { id: string }).id;
