/**
 * Atom events (stream `atom-<uuid>`). A created or updated event is version n of the atom and
 * carries the full snapshot after the change (and which fields changed). Links to other atoms
 * live on the stream of the atom they start from.
 */
export const ATOM_TYPES = ['problem', 'solution', 'decision', 'question', 'insight', 'pattern', 'requirement'] as const;
export type AtomType = (typeof ATOM_TYPES)[number];

export const LINK_TYPES = ['continues', 'solves', 'contradicts', 'supports', 'refines', 'relates_to', 'depends_on'] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export interface AtomSnapshot {
  type: AtomType;
  title: string;
  content: string;
  /** 0..1, or unknown. */
  confidence: number | null;
  meta: Record<string, unknown>;
}

export type AtomField = keyof AtomSnapshot;
export const ATOM_FIELDS: readonly AtomField[] = ['type', 'title', 'content', 'confidence', 'meta'];

export type AtomCreated = {
  type: 'knowledge.atom-created';
  data: AtomSnapshot & { atomId: string; workspaceId: string; version: 1; at: string };
};
export type AtomUpdated = {
  type: 'knowledge.atom-updated';
  data: AtomSnapshot & { atomId: string; version: number; changed: AtomField[]; at: string };
};
export type AtomVersionApproved = { type: 'knowledge.atom-version-approved'; data: { atomId: string; version: number; at: string } };
export type AtomArchived = { type: 'knowledge.atom-archived'; data: { atomId: string; at: string } };
/** Links the atom to another, or changes the type or strength of the link between them. */
export type AtomLinked = {
  type: 'knowledge.atom-linked';
  data: { fromAtomId: string; toAtomId: string; linkType: LinkType; strength: number | null; at: string };
};
export type AtomUnlinked = { type: 'knowledge.atom-unlinked'; data: { fromAtomId: string; toAtomId: string; at: string } };

export type AtomEvent = AtomCreated | AtomUpdated | AtomVersionApproved | AtomArchived | AtomLinked | AtomUnlinked;

export const ATOM_EVENT_TYPES: readonly AtomEvent['type'][] = [
  'knowledge.atom-created',
  'knowledge.atom-updated',
  'knowledge.atom-version-approved',
  'knowledge.atom-archived',
  'knowledge.atom-linked',
  'knowledge.atom-unlinked',
];

export const atomStreamId = (atomId: string) => `atom-${atomId}`;
