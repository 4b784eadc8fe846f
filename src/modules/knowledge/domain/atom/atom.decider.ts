import { ValidationFailedError } from '@libs/common/errors/application-error';
import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { sameValue } from '@modules/knowledge/domain/knowledge-graph/version-diff';
import { ATOM_FIELDS, ATOM_TYPES, AtomEvent, AtomField, AtomSnapshot, AtomType, LINK_TYPES, LinkType } from './atom.events';

/**
 * An atom (seed 003 atoms): one unit of knowledge (a problem, a solution, a decision...) with a
 * confidence and free metadata. Every content change is a new version; approving the latest
 * version is what makes an atom user-approved, and an edit after that is a new, unapproved
 * version. Approving an older version is allowed and recorded (a reviewer may confirm what an
 * atom said at the time) but does not approve the atom's current content.
 */
export const ATOM_TITLE_MAX = 200;
export const ATOM_CONTENT_MAX = 50_000;
/** Serialised size of `meta`: metadata, not documents. */
export const ATOM_META_MAX_BYTES = 16_384;

export interface AtomLink {
  linkType: LinkType;
  strength: number | null;
}

export type AtomState =
  | { status: 'none' }
  | {
      status: 'active' | 'archived';
      atomId: string;
      workspaceId: string;
      snapshot: AtomSnapshot;
      version: number;
      approved: number[];
      links: Record<string, AtomLink>;
    };

export interface AtomChanges {
  type?: AtomType;
  title?: string;
  content?: string;
  confidence?: number | null;
  meta?: Record<string, unknown>;
}

export type AtomCommand =
  | ({ kind: 'create'; atomId: string; workspaceId: string; now: Date } & Omit<AtomChanges, 'type' | 'title' | 'content'> & { type: AtomType; title: string; content: string })
  | { kind: 'update'; workspaceId: string; changes: AtomChanges; now: Date }
  | { kind: 'approve'; workspaceId: string; version: number; now: Date }
  | { kind: 'archive'; workspaceId: string; now: Date }
  | { kind: 'link'; workspaceId: string; toAtomId: string; linkType: LinkType; strength?: number | null; now: Date }
  | { kind: 'unlink'; workspaceId: string; toAtomId: string; now: Date };

type Existing = Exclude<AtomState, { status: 'none' }>;

const invalid = (field: string, message: string) => new ValidationFailedError('The atom is not valid', [{ field, message }]);

function atomType(value: string): AtomType {
  if (!(ATOM_TYPES as readonly string[]).includes(value)) throw invalid('type', `must be one of ${ATOM_TYPES.join(', ')}`);
  return value as AtomType;
}

function title(value: string): string {
  const text = value.trim();
  if (text.length < 1 || text.length > ATOM_TITLE_MAX) throw invalid('title', `must be 1 to ${ATOM_TITLE_MAX} characters`);
  return text;
}

function content(value: string): string {
  const text = value.trim();
  if (text.length < 1 || text.length > ATOM_CONTENT_MAX) throw invalid('content', `must be 1 to ${ATOM_CONTENT_MAX} characters`);
  return text;
}

function unitInterval(field: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw invalid(field, 'must be a number from 0 to 1');
  return value;
}

function meta(value: Record<string, unknown> | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('meta', 'must be an object');
  if (JSON.stringify(value).length > ATOM_META_MAX_BYTES) throw invalid('meta', `must be at most ${ATOM_META_MAX_BYTES} bytes as JSON`);
  return value;
}

function mine(s: AtomState, workspaceId: string): Existing {
  if (s.status === 'none' || s.workspaceId !== workspaceId) throw new KnowledgeGraphError(Code.AtomNotFound, 'No such atom');
  return s;
}

function active(s: AtomState, workspaceId: string): Existing {
  const a = mine(s, workspaceId);
  if (a.status === 'archived') throw new KnowledgeGraphError(Code.AtomArchived, 'This atom is archived', { atomId: a.atomId });
  return a;
}

export const atomDecider: Decider<AtomCommand, AtomState, AtomEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'knowledge.atom-created': {
        const { atomId, workspaceId, type, title, content, confidence, meta } = e.data;
        return { status: 'active', atomId, workspaceId, snapshot: { type, title, content, confidence, meta }, version: 1, approved: [], links: {} };
      }
      case 'knowledge.atom-updated': {
        if (s.status === 'none') return s;
        const { type, title, content, confidence, meta } = e.data;
        return { ...s, snapshot: { type, title, content, confidence, meta }, version: e.data.version };
      }
      case 'knowledge.atom-version-approved':
        return s.status === 'none' ? s : { ...s, approved: [...s.approved, e.data.version] };
      case 'knowledge.atom-archived':
        return s.status === 'none' ? s : { ...s, status: 'archived' };
      case 'knowledge.atom-linked':
        return s.status === 'none' ? s : { ...s, links: { ...s.links, [e.data.toAtomId]: { linkType: e.data.linkType, strength: e.data.strength } } };
      case 'knowledge.atom-unlinked': {
        if (s.status === 'none') return s;
        const { [e.data.toAtomId]: _removed, ...links } = s.links;
        return { ...s, links };
      }
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'create': {
        if (s.status !== 'none') return [];
        return {
          type: 'knowledge.atom-created',
          data: {
            atomId: c.atomId,
            workspaceId: c.workspaceId,
            version: 1,
            type: atomType(c.type),
            title: title(c.title),
            content: content(c.content),
            confidence: unitInterval('confidence', c.confidence),
            meta: meta(c.meta),
            at,
          },
        };
      }
      case 'update': {
        const a = active(s, c.workspaceId);
        const ch = c.changes;
        const next: AtomSnapshot = {
          type: ch.type === undefined ? a.snapshot.type : atomType(ch.type),
          title: ch.title === undefined ? a.snapshot.title : title(ch.title),
          content: ch.content === undefined ? a.snapshot.content : content(ch.content),
          confidence: ch.confidence === undefined ? a.snapshot.confidence : unitInterval('confidence', ch.confidence),
          meta: ch.meta === undefined ? a.snapshot.meta : meta(ch.meta),
        };
        const changed = ATOM_FIELDS.filter((f: AtomField) => !sameValue(next[f], a.snapshot[f]));
        if (changed.length === 0) return [];
        return { type: 'knowledge.atom-updated', data: { atomId: a.atomId, version: a.version + 1, ...next, changed, at } };
      }
      case 'approve': {
        const a = active(s, c.workspaceId);
        if (!Number.isInteger(c.version) || c.version < 1 || c.version > a.version) {
          throw new KnowledgeGraphError(Code.VersionNotFound, `This atom has no version ${c.version}`, { atomId: a.atomId, version: c.version });
        }
        if (a.approved.includes(c.version)) return [];
        return { type: 'knowledge.atom-version-approved', data: { atomId: a.atomId, version: c.version, at } };
      }
      case 'archive': {
        const a = mine(s, c.workspaceId);
        return a.status === 'archived' ? [] : { type: 'knowledge.atom-archived', data: { atomId: a.atomId, at } };
      }
      case 'link': {
        const a = active(s, c.workspaceId);
        if (c.toAtomId === a.atomId) throw invalid('toAtomId', 'an atom cannot link to itself');
        if (!(LINK_TYPES as readonly string[]).includes(c.linkType)) throw invalid('linkType', `must be one of ${LINK_TYPES.join(', ')}`);
        const strength = unitInterval('strength', c.strength);
        const current = a.links[c.toAtomId];
        if (current && current.linkType === c.linkType && current.strength === strength) return [];
        return { type: 'knowledge.atom-linked', data: { fromAtomId: a.atomId, toAtomId: c.toAtomId, linkType: c.linkType, strength, at } };
      }
      case 'unlink': {
        const a = active(s, c.workspaceId);
        if (!a.links[c.toAtomId]) throw new KnowledgeGraphError(Code.LinkNotFound, 'These atoms are not linked', { fromAtomId: a.atomId, toAtomId: c.toAtomId });
        return { type: 'knowledge.atom-unlinked', data: { fromAtomId: a.atomId, toAtomId: c.toAtomId, at } };
      }
      default:
        return assertNever(c);
    }
  },
};
