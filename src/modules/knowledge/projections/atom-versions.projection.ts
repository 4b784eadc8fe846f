import { AtomEvent, AtomSnapshot } from '@modules/knowledge/domain/atom/atom.events';
import { VersionRow, versionRowId, VersionsProjection } from './version-rows';

type D<T extends AtomEvent['type']> = Extract<AtomEvent, { type: T }>['data'];

export type AtomVersionRow = VersionRow<'atom_id', AtomSnapshot>;

export const atomVersionId = versionRowId;

/** knowledge_atom_versions_view (seed 003 atom_versions): one row per version of an atom. */
export class AtomVersionsProjection extends VersionsProjection<'atomId', 'atom_id', AtomSnapshot, D<'knowledge.atom-created'> | D<'knowledge.atom-updated'>> {
  readonly name = 'knowledge.atom-versions';
  readonly table = 'knowledge_atom_versions_view';

  constructor() {
    super({
      idField: 'atomId',
      idColumn: 'atom_id',
      created: 'knowledge.atom-created',
      updated: 'knowledge.atom-updated',
      approved: 'knowledge.atom-version-approved',
      snapshot: (d) => ({ type: d.type, title: d.title, content: d.content, confidence: d.confidence, meta: d.meta }),
    });
  }
}
