/**
 * What knowledge tells other modules (analysis, crm, outreach) through the log: event type
 * names with primitive, versioned payloads. Filled in as the knowledge events land.
 */
export const KnowledgeEvents = {
  // Knowledge graph (streams topic-<id>, atom-<id>, message-topics-<messageId>). Payloads v1:
  /** { topicId, workspaceId, version: 1, name, description, icon, color ('#rrggbb'), at } */
  TopicCreated: 'knowledge.topic-created',
  /** { topicId, version, name, description, icon, color, changed: string[], at }: the full snapshot of version n */
  TopicUpdated: 'knowledge.topic-updated',
  /** { topicId, version, at } */
  TopicVersionApproved: 'knowledge.topic-version-approved',
  /** { topicId, at } */
  TopicArchived: 'knowledge.topic-archived',
  /** { topicId, atomId, position, note, at } (also a move or a new note) */
  TopicAtomAdded: 'knowledge.topic-atom-added',
  /** { topicId, atomId, at } */
  TopicAtomRemoved: 'knowledge.topic-atom-removed',
  /** { atomId, workspaceId, version: 1, type, title, content, confidence, meta, at } */
  AtomCreated: 'knowledge.atom-created',
  /** { atomId, version, type, title, content, confidence, meta, changed: string[], at }: the full snapshot of version n */
  AtomUpdated: 'knowledge.atom-updated',
  /** { atomId, version, at } */
  AtomVersionApproved: 'knowledge.atom-version-approved',
  /** { atomId, at } */
  AtomArchived: 'knowledge.atom-archived',
  /** { fromAtomId, toAtomId, linkType, strength, at } (also a changed type or strength) */
  AtomLinked: 'knowledge.atom-linked',
  /** { fromAtomId, toAtomId, at } */
  AtomUnlinked: 'knowledge.atom-unlinked',
  /** { messageId, topicId, score (0..1), method: 'semantic' | 'manual', at } */
  MessageTopicAssigned: 'knowledge.message-topic-assigned',
  /** { messageId, topicId, method: 'semantic' | 'manual', at } */
  MessageTopicUnassigned: 'knowledge.message-topic-unassigned',
} as const;
