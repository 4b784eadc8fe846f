import { Decider } from '@libs/eventsourcing/decider';

/**
 * The configuration items of analysis: each one a small aggregate with the same life (created,
 * changed field by field, activated or deactivated, deleted). One decider serves them all,
 * parameterised by the kind, so their events read `analysis.<kind>-created` and so on, and each
 * kind keeps its own settings type. Checks of the settings themselves (names, ranges, JSON
 * Schemas, references) are made before the command; this decider keeps the life cycle.
 */
export type ConfigurationKind = 'llm-provider' | 'agent-config' | 'task-config' | 'agent-task-assignment' | 'project-config';

export type ConfigurationItemEvent<K extends ConfigurationKind, S> =
  | { type: `analysis.${K}-created`; data: { id: string; workspaceId: string; settings: S; at: string } }
  /** Only the settings that changed, with their new values. */
  | { type: `analysis.${K}-changed`; data: { id: string; changes: Partial<S>; at: string } }
  | { type: `analysis.${K}-active-changed`; data: { id: string; active: boolean; at: string } }
  | { type: `analysis.${K}-deleted`; data: { id: string; at: string } };

export type ConfigurationItemState<S> =
  | { status: 'none' }
  /** Deleted: gone for every reader; the id may be created again (the built-in items are, on their next use). */
  | { status: 'deleted'; id: string; workspaceId: string }
  | { status: 'exists'; id: string; workspaceId: string; active: boolean; settings: S };

export type ConfigurationItemCommand<S> =
  | { kind: 'create'; id: string; workspaceId: string; settings: S; now: Date }
  | { kind: 'change'; workspaceId: string; changes: Partial<S>; now: Date }
  | { kind: 'set-active'; workspaceId: string; active: boolean; now: Date }
  | { kind: 'delete'; workspaceId: string; now: Date };

export interface ConfigurationEventTypes<K extends ConfigurationKind> {
  created: `analysis.${K}-created`;
  changed: `analysis.${K}-changed`;
  activeChanged: `analysis.${K}-active-changed`;
  deleted: `analysis.${K}-deleted`;
}

export function configurationEventTypes<K extends ConfigurationKind>(kind: K): ConfigurationEventTypes<K> {
  return {
    created: `analysis.${kind}-created`,
    changed: `analysis.${kind}-changed`,
    activeChanged: `analysis.${kind}-active-changed`,
    deleted: `analysis.${kind}-deleted`,
  };
}

/** Settings compare by value (JSON): arrays and objects too. */
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The settings in `changes` whose value differs from `current` (undefined: not part of the change). */
export function changedSettings<S extends object>(current: S, changes: Partial<S>): Partial<S> {
  const out: Partial<S> = {};
  for (const [key, value] of Object.entries(changes) as [keyof S, S[keyof S]][]) {
    if (value !== undefined && !same(current[key], value)) out[key] = value;
  }
  return out;
}

export type ConfigurationItemDecider<K extends ConfigurationKind, S> = Decider<ConfigurationItemCommand<S>, ConfigurationItemState<S>, ConfigurationItemEvent<K, S>>;

/**
 * `notFound`: the kind's own 404 (an item of another workspace, or deleted, is not found, never
 * forbidden). Creating an existing item does nothing: a retried create (same id) finds its own.
 */
export function configurationItemDecider<K extends ConfigurationKind, S extends object>(kind: K, notFound: () => Error): ConfigurationItemDecider<K, S> {
  const types = configurationEventTypes(kind);
  type E = ConfigurationItemEvent<K, S>;
  // Template-literal types of a generic kind do not narrow in a switch: the data is named per case.
  type Created = { id: string; workspaceId: string; settings: S; at: string };
  const mine = (s: ConfigurationItemState<S>, workspaceId: string) => {
    if (s.status !== 'exists' || s.workspaceId !== workspaceId) throw notFound();
    return s;
  };

  return {
    initialState: () => ({ status: 'none' }),
    evolve: (s, e) => {
      switch (e.type) {
        case types.created: {
          const d = e.data as Created;
          return { status: 'exists', id: d.id, workspaceId: d.workspaceId, active: true, settings: d.settings };
        }
        case types.changed: {
          const d = e.data as { changes: Partial<S> };
          return s.status === 'exists' ? { ...s, settings: { ...s.settings, ...d.changes } } : s;
        }
        case types.activeChanged: {
          const d = e.data as { active: boolean };
          return s.status === 'exists' ? { ...s, active: d.active } : s;
        }
        case types.deleted:
          return s.status === 'exists' ? { status: 'deleted', id: s.id, workspaceId: s.workspaceId } : s;
        default:
          return s;
      }
    },
    decide: (c, s) => {
      const at = c.now.toISOString();
      switch (c.kind) {
        case 'create':
          if (s.status === 'exists') return [];
          return { type: types.created, data: { id: c.id, workspaceId: c.workspaceId, settings: c.settings, at } } as E;
        case 'change': {
          const item = mine(s, c.workspaceId);
          const changes = changedSettings(item.settings, c.changes);
          if (Object.keys(changes).length === 0) return [];
          return { type: types.changed, data: { id: item.id, changes, at } } as E;
        }
        case 'set-active': {
          const item = mine(s, c.workspaceId);
          return item.active === c.active ? [] : ({ type: types.activeChanged, data: { id: item.id, active: c.active, at } } as E);
        }
        case 'delete': {
          const item = mine(s, c.workspaceId);
          return { type: types.deleted, data: { id: item.id, at } } as E;
        }
      }
    },
  };
}
