import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { Decider, DomainEvent } from '@libs/eventsourcing/decider';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { UniqueValueTakenError, uniqueClaimDecider, uniqueClaimStreamId } from '@libs/eventsourcing/uniqueness/unique-claim.decider';
import { atomDecider, AtomCommand } from '@modules/knowledge/domain/atom/atom.decider';
import { atomStreamId } from '@modules/knowledge/domain/atom/atom.events';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { messageTopicsDecider, MessageTopicsCommand, messageTopicsStreamId } from '@modules/knowledge/domain/topic/message-topics.decider';
import { topicDecider, TopicCommand } from '@modules/knowledge/domain/topic/topic.decider';
import { topicStreamId } from '@modules/knowledge/domain/topic/topic.events';

const TOPIC_NAME_SCOPE = 'topic-name';
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

/** The streams of the knowledge graph's aggregates, If-Match as 412, and the unique topic names. */
@Injectable()
export class KnowledgeGraphAggregates {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  topic(topicId: string, command: TopicCommand, metadata: CommandMetadata, fingerprint?: unknown) {
    return this.run(topicDecider, command, topicStreamId(topicId), 'topic', metadata, fingerprint);
  }

  atom(atomId: string, command: AtomCommand, metadata: CommandMetadata, fingerprint?: unknown) {
    return this.run(atomDecider, command, atomStreamId(atomId), 'atom', metadata, fingerprint);
  }

  /** Assignments are not versioned by clients: no If-Match, and a racing writer is simply retried. */
  messageTopics(messageId: string, command: MessageTopicsCommand, metadata: CommandMetadata) {
    return this.run(messageTopicsDecider, command, messageTopicsStreamId(messageId), 'message-topics', { ...metadata, expectedVersion: undefined, idempotencyKey: undefined });
  }

  /** Topic names are unique per workspace, whatever their case. Answers whether this call took the claim (false: the topic had it already). */
  async claimTopicName(workspaceId: string, nameKey: string, topicId: string, metadata: CommandMetadata): Promise<boolean> {
    try {
      const handled = await this.handler.handle(uniqueClaimDecider, { kind: 'claim', scope: TOPIC_NAME_SCOPE, owner: topicId }, this.claimOptions(workspaceId, nameKey, metadata));
      return handled.events > 0;
    } catch (err) {
      if (err instanceof UniqueValueTakenError || err instanceof ConcurrencyError) {
        throw new KnowledgeGraphError(Code.TopicNameTaken, 'A topic with this name exists in the workspace (names are compared without case)', { field: 'name' });
      }
      throw err;
    }
  }

  async releaseTopicName(workspaceId: string, nameKey: string, topicId: string, metadata: CommandMetadata): Promise<void> {
    await this.handler.handle(uniqueClaimDecider, { kind: 'release', scope: TOPIC_NAME_SCOPE, owner: topicId }, this.claimOptions(workspaceId, nameKey, metadata));
  }

  private claimOptions(workspaceId: string, nameKey: string, metadata: CommandMetadata) {
    return {
      streamId: uniqueClaimStreamId(TOPIC_NAME_SCOPE, `${workspaceId}:${nameKey}`),
      streamType: 'unique-claim',
      metadata: { ...metadata, idempotencyKey: undefined, expectedVersion: undefined },
      result: () => null,
    };
  }

  private async run<C, S, E extends DomainEvent>(decider: Decider<C, S, E>, command: C, streamId: string, streamType: string, metadata: CommandMetadata, fingerprint?: unknown) {
    try {
      const handled = await this.handler.handle(decider, command, {
        streamId,
        streamType,
        metadata,
        requestFingerprint: fingerprint,
        result: ({ version }) => ({ version }),
      });
      return { version: handled.version, events: handled.events, duplicate: handled.duplicate };
    } catch (err) {
      // The client's If-Match named a version the aggregate has moved past.
      if (err instanceof ConcurrencyError && typeof metadata.expectedVersion === 'number') {
        throw new KnowledgeGraphError(Code.StaleVersion, `The ${streamType} changed since version ${metadata.expectedVersion}: it is at version ${err.actualVersion ?? 0}; read it again`, {
          expectedVersion: metadata.expectedVersion,
          currentVersion: err.actualVersion,
        });
      }
      throw err;
    }
  }
}
