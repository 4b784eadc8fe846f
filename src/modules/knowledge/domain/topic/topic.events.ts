/**
 * Topic events (stream `topic-<uuid>`). A created or updated event is version n of the topic and
 * carries the full snapshot after the change (and which fields changed), so a version can be
 * shown and compared from its one event. Memberships of atoms live on the topic's stream too.
 */
export interface TopicSnapshot {
  name: string;
  description: string;
  icon: string | null;
  /** `#rrggbb`. */
  color: string | null;
}

export type TopicField = keyof TopicSnapshot;
export const TOPIC_FIELDS: readonly TopicField[] = ['name', 'description', 'icon', 'color'];

export type TopicCreated = {
  type: 'knowledge.topic-created';
  data: TopicSnapshot & { topicId: string; workspaceId: string; version: 1; at: string };
};
export type TopicUpdated = {
  type: 'knowledge.topic-updated';
  data: TopicSnapshot & { topicId: string; version: number; changed: TopicField[]; at: string };
};
export type TopicVersionApproved = { type: 'knowledge.topic-version-approved'; data: { topicId: string; version: number; at: string } };
export type TopicArchived = { type: 'knowledge.topic-archived'; data: { topicId: string; at: string } };
/** Adds the atom to the topic, or moves it / changes its note when it is a member already. */
export type TopicAtomAdded = {
  type: 'knowledge.topic-atom-added';
  data: { topicId: string; atomId: string; position: number; note: string | null; at: string };
};
export type TopicAtomRemoved = { type: 'knowledge.topic-atom-removed'; data: { topicId: string; atomId: string; at: string } };

export type TopicEvent = TopicCreated | TopicUpdated | TopicVersionApproved | TopicArchived | TopicAtomAdded | TopicAtomRemoved;

export const TOPIC_EVENT_TYPES: readonly TopicEvent['type'][] = [
  'knowledge.topic-created',
  'knowledge.topic-updated',
  'knowledge.topic-version-approved',
  'knowledge.topic-archived',
  'knowledge.topic-atom-added',
  'knowledge.topic-atom-removed',
];

export const topicStreamId = (topicId: string) => `topic-${topicId}`;
