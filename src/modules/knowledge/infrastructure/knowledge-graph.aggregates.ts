import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { defineAggregate } from '@libs/eventsourcing/aggregate/define-aggregate';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { defineUniqueClaim } from '@libs/eventsourcing/uniqueness/define-unique-claim';
import { atomDecider } from '@modules/knowledge/domain/atom/atom.decider';
import { atomStreamId } from '@modules/knowledge/domain/atom/atom.events';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { messageTopicsDecider, messageTopicsStreamId } from '@modules/knowledge/domain/topic/message-topics.decider';
import { topicDecider } from '@modules/knowledge/domain/topic/topic.decider';
import { topicStreamId } from '@modules/knowledge/domain/topic/topic.events';

const ENTITY_ID_NAMESPACE = '0b6c7e0e-6f2c-4f0a-9d43-5a8f7c1e2d39';

/**
 * The id of an entity a create request makes. Under an Idempotency-Key it is derived from the
 * key AND the request: a retry names the same entity (its decider then does nothing, and the
 * first answer is read back), while another request under the same key names another entity,
 * whose append the event store refuses as a reused key.
 */
export function newEntityId(kind: string, workspaceId: string, idempotencyKey: string | undefined, request: unknown): string {
  if (!idempotencyKey) return uuidv7();
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return uuidv5(`${kind}:${workspaceId}:${idempotencyKey}:${hash}`, ENTITY_ID_NAMESPACE);
}

/** The client's If-Match named a version the aggregate has moved past: a 412. */
const staleVersion = (streamType: string) => (err: ConcurrencyError, expectedVersion: number) =>
  new KnowledgeGraphError(Code.StaleVersion, `The ${streamType} changed since version ${expectedVersion}: it is at version ${err.actualVersion ?? 0}; read it again`, {
    expectedVersion,
    currentVersion: err.actualVersion,
  });

export const topicAggregate = defineAggregate(topicDecider, { streamType: 'topic', streamId: topicStreamId, result: ({ version }) => ({ version }), staleVersion: staleVersion('topic') });

export const atomAggregate = defineAggregate(atomDecider, { streamType: 'atom', streamId: atomStreamId, result: ({ version }) => ({ version }), staleVersion: staleVersion('atom') });

/** Assignments are not versioned by clients: no If-Match, and a racing writer is simply retried. */
export const messageTopicsAggregate = defineAggregate(messageTopicsDecider, {
  streamType: 'message-topics',
  streamId: messageTopicsStreamId,
  result: ({ version }) => ({ version }),
  ignores: ['expectedVersion', 'idempotencyKey'],
});

/** Topic names are unique per workspace, whatever their case (`nameKey` is the lower-cased name). */
export const topicNameClaim = defineUniqueClaim('topic-name', {
  key: ({ workspaceId, nameKey }: { workspaceId: string; nameKey: string }) => `${workspaceId}:${nameKey}`,
  taken: () => new KnowledgeGraphError(Code.TopicNameTaken, 'A topic with this name exists in the workspace (names are compared without case)', { field: 'name' }),
});

/** The knowledge graph's aggregates and unique topic names, bound to the command handler. */
@Injectable()
export class KnowledgeGraphAggregates {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  readonly topic = topicAggregate.bind(this.handler);
  readonly atom = atomAggregate.bind(this.handler);
  readonly messageTopics = messageTopicsAggregate.bind(this.handler);
  /** `claim` answers whether this call took the name (false: the topic had it already). */
  readonly topicNames = topicNameClaim.bind(this.handler);
}
