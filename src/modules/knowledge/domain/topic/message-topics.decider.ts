import { assertNever, Decider } from '@libs/eventsourcing/decider';

/**
 * The topics of one message (seed 003 messages.topic_id, many-to-many here), on stream
 * `message-topics-<messageId>`. A human's word wins over the classifier: a manual assignment
 * replaces a semantic one, and once a human removed a topic from a message the classifier never
 * assigns it again (the seed's topic_id is ground truth). A semantic assignment the classifier
 * no longer supports (the topic or the message changed) is withdrawn; a manual one never is.
 */
export type AssignmentMethod = 'semantic' | 'manual';

export type MessageTopicEvent =
  | {
      type: 'knowledge.message-topic-assigned';
      data: { messageId: string; topicId: string; score: number; method: AssignmentMethod; at: string };
    }
  | {
      type: 'knowledge.message-topic-unassigned';
      /** `method`: who took it out; `reason` 'message-deleted' when the message went away (nobody's judgement). */
      data: { messageId: string; topicId: string; method: AssignmentMethod; reason?: 'message-deleted'; at: string };
    };

export const MESSAGE_TOPIC_EVENT_TYPES: readonly MessageTopicEvent['type'][] = ['knowledge.message-topic-assigned', 'knowledge.message-topic-unassigned'];

export const messageTopicsStreamId = (messageId: string) => `message-topics-${messageId}`;

export interface MessageTopicAssignment {
  method: AssignmentMethod;
  score: number;
}

export interface MessageTopicsState {
  assigned: Record<string, MessageTopicAssignment>;
  /** Topics a human removed from this message. */
  removedByHuman: string[];
}

export type MessageTopicsCommand =
  | { kind: 'assign'; messageId: string; topicId: string; method: AssignmentMethod; score: number; now: Date }
  | { kind: 'unassign'; messageId: string; topicId: string; method: AssignmentMethod; now: Date }
  /** The message was deleted: it leaves every topic. */
  | { kind: 'message-deleted'; messageId: string; now: Date };

/** A semantic score that moved less than this is not worth a new event. */
const SCORE_EPSILON = 0.05;

const round = (score: number) => Math.round(Math.min(1, Math.max(0, score)) * 1e4) / 1e4;

export const messageTopicsDecider: Decider<MessageTopicsCommand, MessageTopicsState, MessageTopicEvent> = {
  initialState: () => ({ assigned: {}, removedByHuman: [] }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'knowledge.message-topic-assigned':
        return {
          assigned: { ...s.assigned, [e.data.topicId]: { method: e.data.method, score: e.data.score } },
          removedByHuman: e.data.method === 'manual' ? s.removedByHuman.filter((t) => t !== e.data.topicId) : s.removedByHuman,
        };
      case 'knowledge.message-topic-unassigned': {
        const { [e.data.topicId]: _removed, ...assigned } = s.assigned;
        return {
          assigned,
          removedByHuman:
            e.data.method === 'manual' && !e.data.reason && !s.removedByHuman.includes(e.data.topicId) ? [...s.removedByHuman, e.data.topicId] : s.removedByHuman,
        };
      }
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    if (c.kind === 'message-deleted') {
      return Object.entries(s.assigned).map(([topicId, a]): MessageTopicEvent => ({
        type: 'knowledge.message-topic-unassigned',
        data: { messageId: c.messageId, topicId, method: a.method, reason: 'message-deleted', at },
      }));
    }
    const current = s.assigned[c.topicId];
    switch (c.kind) {
      case 'assign': {
        if (c.method === 'manual') {
          if (current?.method === 'manual') return [];
          return { type: 'knowledge.message-topic-assigned', data: { messageId: c.messageId, topicId: c.topicId, score: 1, method: 'manual', at } };
        }
        if (s.removedByHuman.includes(c.topicId) || current?.method === 'manual') return [];
        const score = round(c.score);
        if (current && Math.abs(current.score - score) < SCORE_EPSILON) return [];
        return { type: 'knowledge.message-topic-assigned', data: { messageId: c.messageId, topicId: c.topicId, score, method: 'semantic', at } };
      }
      case 'unassign':
        if (!current) return [];
        // The classifier withdraws only its own assignments.
        if (c.method === 'semantic' && current.method !== 'semantic') return [];
        return { type: 'knowledge.message-topic-unassigned', data: { messageId: c.messageId, topicId: c.topicId, method: c.method, at } };
      default:
        return assertNever(c);
    }
  },
};
