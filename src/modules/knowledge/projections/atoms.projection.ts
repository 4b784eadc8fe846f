import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AtomEvent } from '@modules/knowledge/domain/atom/atom.events';

type D<T extends AtomEvent['type']> = Extract<AtomEvent, { type: T }>['data'];

export interface AtomRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  type: string;
  title: string;
  content: string;
  confidence: number | null;
  /** The latest version is approved. */
  user_approved: boolean;
  approved_version: number | null;
  meta: Record<string, unknown>;
  version: number;
  /** The stream's version: the atom's ETag (links move it too). */
  stream_version: number;
  created_by: string | null;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
  // Written by the knowledge.graph-embeddings consumer; the handlers carry them over.
  embedding: string | null;
  embedding_model: string | null;
  embedding_text_md5: string | null;
  embedding_updated_at: string | null;
}

/** knowledge_atoms_view (seed 003 atoms). Inline: the API reads its own writes. */
export class AtomsProjection extends RowProjection<AtomRow> {
  readonly name = 'knowledge.atoms';
  readonly table = 'knowledge_atoms_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    const d = e.data as { atomId?: string; fromAtomId?: string };
    return (d.atomId ?? d.fromAtomId)!;
  }

  private static moved(r: AtomRow, e: RecordedEvent): AtomRow {
    return { ...r, stream_version: e.streamVersion };
  }

  readonly handlers: Record<string, RowHandler<AtomRow>> = {
    'knowledge.atom-created': (r, e) => {
      if (r) return r;
      const d = e.data as D<'knowledge.atom-created'>;
      return {
        id: d.atomId,
        workspace_id: d.workspaceId,
        type: d.type,
        title: d.title,
        content: d.content,
        confidence: d.confidence,
        user_approved: false,
        approved_version: null,
        meta: d.meta,
        version: 1,
        stream_version: e.streamVersion,
        created_by: e.actorId,
        archived_at: null,
        created_at: d.at,
        updated_at: d.at,
        embedding: null,
        embedding_model: null,
        embedding_text_md5: null,
        embedding_updated_at: null,
      };
    },
    'knowledge.atom-updated': (r, e) => {
      const d = e.data as D<'knowledge.atom-updated'>;
      return r
        ? {
            ...AtomsProjection.moved(r, e),
            type: d.type,
            title: d.title,
            content: d.content,
            confidence: d.confidence,
            meta: d.meta,
            version: d.version,
            // An edit is a new version nobody approved yet.
            user_approved: false,
            updated_at: d.at,
          }
        : null;
    },
    'knowledge.atom-version-approved': (r, e) => {
      const d = e.data as D<'knowledge.atom-version-approved'>;
      if (!r) return null;
      return {
        ...AtomsProjection.moved(r, e),
        user_approved: r.user_approved || d.version === r.version,
        approved_version: Math.max(r.approved_version ?? 0, d.version),
        updated_at: d.at,
      };
    },
    'knowledge.atom-archived': (r, e) => {
      const d = e.data as D<'knowledge.atom-archived'>;
      return r ? { ...AtomsProjection.moved(r, e), archived_at: d.at, updated_at: d.at } : null;
    },
    'knowledge.atom-linked': (r, e) => (r ? AtomsProjection.moved(r, e) : null),
    'knowledge.atom-unlinked': (r, e) => (r ? AtomsProjection.moved(r, e) : null),
  };
}
