import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { IngestionEvents, messageStreamIdOf } from '@modules/ingestion/contracts';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { KnowledgeGraphAggregates } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';
import { KnowledgeGraphQueries } from '@modules/knowledge/infrastructure/knowledge-graph.queries';

/** Manual topic assignments (the seed's messages.topic_id, set by a human) and the topic's messages. */
@Injectable()
export class MessageTopicsHandler {
  constructor(
    private readonly aggregates: KnowledgeGraphAggregates,
    private readonly queries: KnowledgeGraphQueries,
    private readonly store: PostgresEventStore,
  ) {}

  async assign(workspaceId: string, topicId: string, messageId: string, meta: CommandMetadata) {
    const topic = await this.topic(workspaceId, topicId);
    if (topic.archived_at) throw new KnowledgeGraphError(Code.TopicArchived, 'This topic is archived', { topicId });
    await this.message(workspaceId, messageId);
    await this.aggregates.messageTopics.handle(messageId, { kind: 'assign', messageId, topicId, method: 'manual', score: 1, now: meta.now }, meta);
    const row = await this.queries.messageTopic(workspaceId, messageId, topicId);
    return { messageId, topicId, score: row.score, method: row.method, assignedBy: row.assigned_by, assignedAt: row.assigned_at };
  }

  /** A human's removal also keeps the classifier from assigning this topic to the message again. */
  async unassign(workspaceId: string, topicId: string, messageId: string, meta: CommandMetadata): Promise<void> {
    await this.topic(workspaceId, topicId);
    const row = isUUID(messageId) ? await this.queries.messageTopic(workspaceId, messageId, topicId) : null;
    if (!row) throw new KnowledgeGraphError(Code.MessageTopicNotFound, 'This message is not in the topic', { topicId, messageId });
    await this.aggregates.messageTopics.handle(messageId, { kind: 'unassign', messageId, topicId, method: 'manual', now: meta.now }, meta);
  }

  async list(workspaceId: string, topicId: string, page: { cursor?: string; limit: number }) {
    await this.topic(workspaceId, topicId);
    return this.queries.topicMessages(workspaceId, topicId, page);
  }

  private async topic(workspaceId: string, topicId: string) {
    const topic = isUUID(topicId) ? await this.queries.topic(workspaceId, topicId) : null;
    if (!topic) throw new KnowledgeGraphError(Code.TopicNotFound, 'No such topic', { topicId });
    return topic;
  }

  /**
   * A message of this workspace that was not deleted, read from its stream in the log (the
   * ingestion contract's events): knowledge keeps no copy of messages of its own, and the
   * message may not be chunked yet.
   */
  private async message(workspaceId: string, messageId: string): Promise<void> {
    const stream = isUUID(messageId) ? await this.store.readStream(messageStreamIdOf(messageId)) : null;
    const ingested = stream?.events.find((e) => e.type === IngestionEvents.MessageIngested);
    const deleted = stream?.events.some((e) => e.type === IngestionEvents.MessageDeleted);
    if (!ingested || ingested.workspaceId !== workspaceId || deleted) throw new KnowledgeGraphError(Code.MessageNotFound, 'No such message', { messageId });
  }
}
