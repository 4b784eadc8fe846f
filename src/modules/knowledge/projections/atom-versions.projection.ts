import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AtomEvent, AtomSnapshot } from '@modules/knowledge/domain/atom/atom.events';

type D<T extends AtomEvent['type']> = Extract<AtomEvent, { type: T }>['data'];

export interface AtomVersionRow extends Record<string, unknown> {
  /** `<atomId>:<version>`. */
  id: string;
  atom_id: string;
  workspace_id: string;
  version: number;
  data: AtomSnapshot;
  changed: string[];
  created_by: string | null;
  approved: boolean;
  approved_by: string | null;
  created_at: string;
  approved_at: string | null;
}

export const atomVersionId = (atomId: string, version: number) => `${atomId}:${version}`;

/**
 * knowledge_atom_versions_view (seed 003 atom_versions): one row per created/updated event of an
 * atom, its snapshot as the event carries it; the approval event marks its version.
 */
export class AtomVersionsProjection extends RowProjection<AtomVersionRow> {
  readonly name = 'knowledge.atom-versions';
  readonly table = 'knowledge_atom_versions_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    const d = e.data as { atomId: string; version: number };
    return atomVersionId(d.atomId, d.version);
  }

  private static version(e: RecordedEvent, d: D<'knowledge.atom-created'> | D<'knowledge.atom-updated'>, changed: string[]): AtomVersionRow {
    return {
      id: atomVersionId(d.atomId, d.version),
      atom_id: d.atomId,
      workspace_id: e.workspaceId!,
      version: d.version,
      data: { type: d.type, title: d.title, content: d.content, confidence: d.confidence, meta: d.meta },
      changed,
      created_by: e.actorId,
      approved: false,
      approved_by: null,
      created_at: d.at,
      approved_at: null,
    };
  }

  readonly handlers: Record<string, RowHandler<AtomVersionRow>> = {
    'knowledge.atom-created': (r, e) => r ?? AtomVersionsProjection.version(e, e.data as D<'knowledge.atom-created'>, []),
    'knowledge.atom-updated': (r, e) => {
      const d = e.data as D<'knowledge.atom-updated'>;
      return r ?? AtomVersionsProjection.version(e, d, d.changed);
    },
    'knowledge.atom-version-approved': (r, e) => {
      const d = e.data as D<'knowledge.atom-version-approved'>;
      return r ? { ...r, approved: true, approved_by: e.actorId, approved_at: d.at } : null;
    },
  };
}
