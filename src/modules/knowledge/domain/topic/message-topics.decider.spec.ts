import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { MessageTopicEvent, messageTopicsDecider } from './message-topics.decider';

const now = new Date('2026-11-25T10:00:00Z');
const at = now.toISOString();
const messageId = 'm1';
const topicId = 't1';
const assigned = (method: 'semantic' | 'manual', score: number): MessageTopicEvent => ({ type: 'knowledge.message-topic-assigned', data: { messageId, topicId, score, method, at } });
const unassigned = (method: 'semantic' | 'manual'): MessageTopicEvent => ({ type: 'knowledge.message-topic-unassigned', data: { messageId, topicId, method, at } });

describe('message topics decider: a human wins over the classifier', () => {
  const spec = DeciderSpecification(messageTopicsDecider);
  const semantic = (score: number) => ({ kind: 'assign' as const, messageId, topicId, method: 'semantic' as const, score, now });
  const manual = { kind: 'assign' as const, messageId, topicId, method: 'manual' as const, score: 1, now };

  it('assigns semantically, once (a score moving a little is no new event)', () => {
    spec.given([]).when(semantic(0.41234567)).then([assigned('semantic', 0.4123)]);
    spec.given([assigned('semantic', 0.41)]).when(semantic(0.43)).thenNothingHappened();
    spec.given([assigned('semantic', 0.41)]).when(semantic(0.6)).then([assigned('semantic', 0.6)]);
  });

  it('a manual assignment replaces a semantic one and is never replaced by the classifier', () => {
    spec.given([assigned('semantic', 0.4)]).when(manual).then([assigned('manual', 1)]);
    spec.given([assigned('manual', 1)]).when(semantic(0.9)).thenNothingHappened();
    spec.given([assigned('manual', 1)]).when({ kind: 'unassign', messageId, topicId, method: 'semantic', now }).thenNothingHappened();
  });

  it('after a human removed the topic the classifier does not put it back; a human can', () => {
    spec.given([assigned('semantic', 0.4), unassigned('manual')]).when(semantic(0.9)).thenNothingHappened();
    spec.given([assigned('semantic', 0.4), unassigned('manual')]).when(manual).then([assigned('manual', 1)]);
  });

  it('the classifier withdraws its own assignment; nothing to withdraw is nothing', () => {
    spec.given([assigned('semantic', 0.4)]).when({ kind: 'unassign', messageId, topicId, method: 'semantic', now }).then([unassigned('semantic')]);
    spec.given([]).when({ kind: 'unassign', messageId, topicId, method: 'manual', now }).thenNothingHappened();
    spec.given([assigned('semantic', 0.4), unassigned('semantic')]).when(semantic(0.5)).then([assigned('semantic', 0.5)]);
  });

  it('a deleted message leaves every topic, which is nobody\'s removal', () => {
    const other: MessageTopicEvent = { type: 'knowledge.message-topic-assigned', data: { messageId, topicId: 't2', score: 1, method: 'manual', at } };
    spec
      .given([assigned('semantic', 0.4), other])
      .when({ kind: 'message-deleted', messageId, now })
      .then([
        { type: 'knowledge.message-topic-unassigned', data: { messageId, topicId, method: 'semantic', reason: 'message-deleted', at } },
        { type: 'knowledge.message-topic-unassigned', data: { messageId, topicId: 't2', method: 'manual', reason: 'message-deleted', at } },
      ]);
    spec.given([]).when({ kind: 'message-deleted', messageId, now }).thenNothingHappened();
    const state = [assigned('manual', 1), { type: 'knowledge.message-topic-unassigned', data: { messageId, topicId, method: 'manual', reason: 'message-deleted', at } } as MessageTopicEvent].reduce(
      messageTopicsDecider.evolve,
      messageTopicsDecider.initialState(),
    );
    expect(state).toEqual({ assigned: {}, removedByHuman: [] });
  });
});
