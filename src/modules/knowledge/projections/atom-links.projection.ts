import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AtomEvent } from '@modules/knowledge/domain/atom/atom.events';

type D<T extends AtomEvent['type']> = Extract<AtomEvent, { type: T }>['data'];

export interface AtomLinkRow extends Record<string, unknown> {
  /** `<fromAtomId>:<toAtomId>`. */
  id: string;
  workspace_id: string;
  from_atom_id: string;
  to_atom_id: string;
  link_type: string;
  strength: number | null;
  created_at: string;
  updated_at: string;
}

/** knowledge_atom_links_view (seed 003 atom_links): typed, weighted links between atoms. */
export class AtomLinksProjection extends RowProjection<AtomLinkRow> {
  readonly name = 'knowledge.atom-links';
  readonly table = 'knowledge_atom_links_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    const d = e.data as { fromAtomId: string; toAtomId: string };
    return `${d.fromAtomId}:${d.toAtomId}`;
  }

  readonly handlers: Record<string, RowHandler<AtomLinkRow>> = {
    'knowledge.atom-linked': (r, e) => {
      const d = e.data as D<'knowledge.atom-linked'>;
      return {
        id: `${d.fromAtomId}:${d.toAtomId}`,
        workspace_id: e.workspaceId!,
        from_atom_id: d.fromAtomId,
        to_atom_id: d.toAtomId,
        link_type: d.linkType,
        strength: d.strength,
        created_at: r?.created_at ?? d.at,
        updated_at: d.at,
      };
    },
    'knowledge.atom-unlinked': () => null,
  };
}
