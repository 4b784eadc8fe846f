import { ValidationFailedError } from '@libs/common/errors/application-error';
import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { autoColorFor, autoIconFor, normaliseColor } from './topic-color';
import { TOPIC_FIELDS, TopicEvent, TopicField, TopicSnapshot } from './topic.events';

/**
 * A topic (seed 003 topics): a named, described, coloured category that atoms belong to and
 * messages are classified into. Every content change is a new version; approving a version is
 * an event of its own. Name uniqueness per workspace is a unique claim taken by the caller
 * before the command (a decider sees only its own stream).
 */
export const TOPIC_NAME_MAX = 100;
export const TOPIC_DESCRIPTION_MAX = 10_000;
export const TOPIC_ICON_MAX = 50;

export interface TopicMember {
  position: number;
  note: string | null;
}

export type TopicState =
  | { status: 'none' }
  | {
      status: 'active' | 'archived';
      topicId: string;
      workspaceId: string;
      snapshot: TopicSnapshot;
      version: number;
      approved: number[];
      members: Record<string, TopicMember>;
    };

export type TopicCommand =
  | {
      kind: 'create';
      topicId: string;
      workspaceId: string;
      name: string;
      description?: string;
      /** undefined: picked from the name; null: none. */
      icon?: string | null;
      /** `#RRGGBB` or a Tailwind name; undefined: picked from the name; null: none. */
      color?: string | null;
      now: Date;
    }
  | { kind: 'update'; workspaceId: string; changes: { name?: string; description?: string; icon?: string | null; color?: string | null }; now: Date }
  | { kind: 'approve'; workspaceId: string; version: number; now: Date }
  | { kind: 'archive'; workspaceId: string; now: Date }
  | { kind: 'add-atom'; workspaceId: string; atomId: string; position?: number; note?: string | null; now: Date }
  | { kind: 'remove-atom'; workspaceId: string; atomId: string; now: Date };

type Existing = Exclude<TopicState, { status: 'none' }>;

/** Trimmed name, 1..100 characters; the unique-name key is its lower case. */
export function topicName(name: string): string {
  const value = name.trim();
  if (value.length < 1 || value.length > TOPIC_NAME_MAX) {
    throw new ValidationFailedError('The topic name is not valid', [{ field: 'name', message: `must be 1 to ${TOPIC_NAME_MAX} characters` }]);
  }
  return value;
}

export const topicNameKey = (name: string) => topicName(name).toLowerCase();

function description(value: string | undefined): string {
  const text = (value ?? '').trim();
  if (text.length > TOPIC_DESCRIPTION_MAX) {
    throw new ValidationFailedError('The topic description is too long', [{ field: 'description', message: `must be at most ${TOPIC_DESCRIPTION_MAX} characters` }]);
  }
  return text;
}

function icon(value: string | null): string | null {
  const text = value?.trim() ?? '';
  if (text.length > TOPIC_ICON_MAX) throw new ValidationFailedError('The icon is not valid', [{ field: 'icon', message: `must be at most ${TOPIC_ICON_MAX} characters` }]);
  return text || null;
}

const color = (value: string | null) => (value === null ? null : normaliseColor(value));

/** Another workspace's topic is "not found", never "forbidden". */
function mine(s: TopicState, workspaceId: string): Existing {
  if (s.status === 'none' || s.workspaceId !== workspaceId) throw new KnowledgeGraphError(Code.TopicNotFound, 'No such topic');
  return s;
}

function active(s: TopicState, workspaceId: string): Existing {
  const t = mine(s, workspaceId);
  if (t.status === 'archived') throw new KnowledgeGraphError(Code.TopicArchived, 'This topic is archived', { topicId: t.topicId });
  return t;
}

export const topicDecider: Decider<TopicCommand, TopicState, TopicEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'knowledge.topic-created': {
        const { topicId, workspaceId, name, description, icon, color } = e.data;
        return { status: 'active', topicId, workspaceId, snapshot: { name, description, icon, color }, version: 1, approved: [], members: {} };
      }
      case 'knowledge.topic-updated': {
        if (s.status === 'none') return s;
        const { name, description, icon, color } = e.data;
        return { ...s, snapshot: { name, description, icon, color }, version: e.data.version };
      }
      case 'knowledge.topic-version-approved':
        return s.status === 'none' ? s : { ...s, approved: [...s.approved, e.data.version] };
      case 'knowledge.topic-archived':
        return s.status === 'none' ? s : { ...s, status: 'archived' };
      case 'knowledge.topic-atom-added':
        return s.status === 'none' ? s : { ...s, members: { ...s.members, [e.data.atomId]: { position: e.data.position, note: e.data.note } } };
      case 'knowledge.topic-atom-removed': {
        if (s.status === 'none') return s;
        const { [e.data.atomId]: _removed, ...members } = s.members;
        return { ...s, members };
      }
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'create': {
        // The same command again (a retry that lost its answer): nothing new.
        if (s.status !== 'none') return [];
        const name = topicName(c.name);
        return {
          type: 'knowledge.topic-created',
          data: {
            topicId: c.topicId,
            workspaceId: c.workspaceId,
            version: 1,
            name,
            description: description(c.description),
            icon: c.icon === undefined ? autoIconFor(name) : icon(c.icon),
            color: c.color === undefined ? autoColorFor(name) : color(c.color),
            at,
          },
        };
      }
      case 'update': {
        const t = active(s, c.workspaceId);
        const next: TopicSnapshot = {
          name: c.changes.name === undefined ? t.snapshot.name : topicName(c.changes.name),
          description: c.changes.description === undefined ? t.snapshot.description : description(c.changes.description),
          icon: c.changes.icon === undefined ? t.snapshot.icon : icon(c.changes.icon),
          color: c.changes.color === undefined ? t.snapshot.color : color(c.changes.color),
        };
        const changed = TOPIC_FIELDS.filter((f: TopicField) => next[f] !== t.snapshot[f]);
        // Nothing changed: no new version.
        if (changed.length === 0) return [];
        return { type: 'knowledge.topic-updated', data: { topicId: t.topicId, version: t.version + 1, ...next, changed, at } };
      }
      case 'approve': {
        const t = active(s, c.workspaceId);
        if (!Number.isInteger(c.version) || c.version < 1 || c.version > t.version) {
          throw new KnowledgeGraphError(Code.VersionNotFound, `This topic has no version ${c.version}`, { topicId: t.topicId, version: c.version });
        }
        if (t.approved.includes(c.version)) return [];
        return { type: 'knowledge.topic-version-approved', data: { topicId: t.topicId, version: c.version, at } };
      }
      case 'archive': {
        const t = mine(s, c.workspaceId);
        return t.status === 'archived' ? [] : { type: 'knowledge.topic-archived', data: { topicId: t.topicId, at } };
      }
      case 'add-atom': {
        const t = active(s, c.workspaceId);
        const current = t.members[c.atomId];
        const positions = Object.values(t.members).map((m) => m.position);
        // A new member goes last unless placed; a member keeps what the command leaves out.
        const position = c.position ?? current?.position ?? (positions.length ? Math.max(...positions) + 1 : 0);
        const note = c.note === undefined ? (current?.note ?? null) : c.note?.trim() || null;
        if (current && current.position === position && current.note === note) return [];
        return { type: 'knowledge.topic-atom-added', data: { topicId: t.topicId, atomId: c.atomId, position, note, at } };
      }
      case 'remove-atom': {
        const t = active(s, c.workspaceId);
        if (!t.members[c.atomId]) throw new KnowledgeGraphError(Code.MembershipNotFound, 'This atom is not in the topic', { topicId: t.topicId, atomId: c.atomId });
        return { type: 'knowledge.topic-atom-removed', data: { topicId: t.topicId, atomId: c.atomId, at } };
      }
      default:
        return assertNever(c);
    }
  },
};
