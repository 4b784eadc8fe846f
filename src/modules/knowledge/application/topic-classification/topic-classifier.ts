import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { Embedder } from '@libs/ai/embedder';
import { PG_POOL } from '@libs/database/database-backend';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { isTopicMatch, mentionsTopic, minCandidateSimilarity, topicMatchPolicy, topicMatchScore } from '@modules/knowledge/domain/topic/topic-match';
import { KnowledgeGraphAggregates } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';

export const TOPIC_CLASSIFIER_ACTOR = 'system:knowledge.topic-classification';
/** Messages per batch (each batch: one similarity query, then one small append per changed assignment). */
const MESSAGE_BATCH = 500;
/**
 * How far back before the newest classified chunk embedding the pass looks again: a chunk
 * written by a transaction that committed late (its last_embedded_at older than the watermark)
 * is still found; the per-message check keeps it from being classified twice.
 */
const WATERMARK_OVERLAP = '10 minutes';

export interface ClassificationCounts {
  messages: number;
  topics: number;
  assigned: number;
  unassigned: number;
}

interface PairScore {
  workspaceId: string;
  messageId: string;
  topicId: string;
  topicName: string;
  similarity: number;
}

const zero = (): ClassificationCounts => ({ messages: 0, topics: 0, assigned: 0, unassigned: 0 });
const add = (a: ClassificationCounts, b: ClassificationCounts): ClassificationCounts => ({
  messages: a.messages + b.messages,
  topics: a.topics + b.topics,
  assigned: a.assigned + b.assigned,
  unassigned: a.unassigned + b.unassigned,
});

/**
 * Classifies messages into topics (seed 003 messages.topic_id): a message is about a topic when
 * the best cosine similarity between the topic's embedding and the message's ready chunks,
 * boosted when the message names the topic, reaches the threshold (domain/topic/topic-match.ts).
 * Each change is an event on the message's `message-topics-<id>` stream (method semantic); manual
 * assignments and removals are never overridden (the decider's rule).
 *
 * Two ways in, both idempotent, both run by the scheduled pass (every minute) and callable directly:
 * - messages whose chunks became ready since the watermark (knowledge_rag_chunks.last_embedded_at);
 * - topics whose embedding changed (created, renamed, redescribed, or a new model): the
 *   workspace's existing messages against that topic, in bounded batches. The graph-embeddings
 *   consumer starts this right after it embeds a topic.
 */
@Injectable()
export class TopicClassifier implements BeforeApplicationShutdown {
  private readonly logger = new Logger('TopicClassifier');
  private running: Promise<ClassificationCounts> | null = null;
  private again = false;
  private stopping = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly embedder: Embedder,
    private readonly aggregates: KnowledgeGraphAggregates,
  ) {}

  /** One pass over everything due. Calls while a pass runs share it (and one more pass follows). */
  runPass(): Promise<ClassificationCounts> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = zero();
      try {
        do {
          this.again = false;
          total = add(total, await this.classifyNewMessages());
          total = add(total, await this.classifyChangedTopics());
        } while (this.again);
        return total;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** A pass started in the background ends while the database is still there. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  /** Starts a pass in the background (after a topic was embedded); errors are logged, the scheduled pass retries. */
  nudge(): void {
    if (this.stopping) return;
    this.runPass().catch((err) => this.logger.warn({ err }, 'topic classification pass failed; the scheduled pass will retry'));
  }

  /** Messages whose chunks became ready (or changed) since they were last classified. */
  async classifyNewMessages(maxBatches = 20): Promise<ClassificationCounts> {
    let total = zero();
    for (let i = 0; i < maxBatches; i++) {
      // Timestamps travel as text: a JS Date would drop the microseconds and never equal the stored value.
      const due = await this.pool.query<{ workspace_id: string; message_id: string; embedded_at: string }>(
        `WITH since AS (
           SELECT coalesce(max(embedded_at), '-infinity'::timestamptz) - $2::interval AS t FROM knowledge_message_topic_checks
         )
         SELECT c.workspace_id, c.message_id, max(c.last_embedded_at)::text AS embedded_at
           FROM knowledge_rag_chunks c
           LEFT JOIN knowledge_message_topic_checks k ON k.message_id = c.message_id
          WHERE c.embedding_status = 'ready' AND c.last_embedded_at > (SELECT t FROM since)
          GROUP BY c.workspace_id, c.message_id, k.embedded_at
         HAVING k.embedded_at IS NULL OR max(c.last_embedded_at) > k.embedded_at
          ORDER BY max(c.last_embedded_at), c.message_id
          LIMIT $1`,
        [MESSAGE_BATCH, WATERMARK_OVERLAP],
      );
      if (due.rows.length === 0) break;
      const ids = due.rows.map((r) => r.message_id);
      const pairs = await this.pool.query(
        `SELECT c.workspace_id, c.message_id, t.id AS topic_id, t.name AS topic_name, max(1 - (c.embedding <=> t.embedding)) AS similarity
           FROM knowledge_rag_chunks c
           JOIN knowledge_topics_view t ON t.workspace_id = c.workspace_id
          WHERE c.message_id = ANY($1::uuid[]) AND c.embedding_status = 'ready' AND c.embedding IS NOT NULL
            AND t.archived_at IS NULL AND t.embedding IS NOT NULL
            AND c.embedding_model = $2 AND t.embedding_model = $2 AND vector_dims(t.embedding) = $3 AND vector_dims(c.embedding) = $3
          GROUP BY c.workspace_id, c.message_id, t.id, t.name`,
        [ids, this.embedder.model, this.embedder.dimension],
      );
      const counts = await this.apply(pairs.rows.map(toPair), ids);
      await this.pool.query(
        `INSERT INTO knowledge_message_topic_checks (message_id, workspace_id, embedded_at, checked_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], array_fill(now(), ARRAY[cardinality($1::uuid[])]))
         ON CONFLICT (message_id) DO UPDATE SET embedded_at = greatest(knowledge_message_topic_checks.embedded_at, EXCLUDED.embedded_at), checked_at = now()`,
        [ids, due.rows.map((r) => r.workspace_id), due.rows.map((r) => r.embedded_at)],
      );
      total = add(total, { ...counts, messages: ids.length });
      if (due.rows.length < MESSAGE_BATCH) break;
    }
    return total;
  }

  /** Topics embedded (again) since their messages were last classified against them. */
  async classifyChangedTopics(maxTopics = 50): Promise<ClassificationCounts> {
    const due = await this.pool.query<{ id: string; workspace_id: string; embedding_updated_at: string }>(
      `SELECT id, workspace_id, embedding_updated_at::text AS embedding_updated_at FROM knowledge_topics_view
        WHERE archived_at IS NULL AND embedding IS NOT NULL AND embedding_model = $1 AND vector_dims(embedding) = $2
          AND classified_embedding_at IS DISTINCT FROM embedding_updated_at
        ORDER BY embedding_updated_at LIMIT $3`,
      [this.embedder.model, this.embedder.dimension, maxTopics],
    );
    let total = zero();
    for (const t of due.rows) {
      total = add(total, await this.classifyTopic(t.workspace_id, t.id));
      // Guarded: a topic embedded again meanwhile stays due.
      await this.pool.query(
        `UPDATE knowledge_topics_view SET classified_embedding_at = embedding_updated_at WHERE id = $1 AND embedding_updated_at = $2::timestamptz`,
        [t.id, t.embedding_updated_at],
      );
    }
    return total;
  }

  /** The workspace's messages against one topic, MESSAGE_BATCH messages at a time (keyset on message id). */
  async classifyTopic(workspaceId: string, topicId: string): Promise<ClassificationCounts> {
    const topic = await this.pool.query<{ name: string; embedding: string }>(
      `SELECT name, embedding::text AS embedding FROM knowledge_topics_view
        WHERE id = $1 AND workspace_id = $2 AND archived_at IS NULL AND embedding_model = $3 AND vector_dims(embedding) = $4`,
      [topicId, workspaceId, this.embedder.model, this.embedder.dimension],
    );
    if (!topic.rows[0]) return zero();
    const { name, embedding } = topic.rows[0];
    let total: ClassificationCounts = { ...zero(), topics: 1 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const batch = await this.pool.query<{ message_id: string; similarity: number }>(
        `SELECT c.message_id, max(1 - (c.embedding <=> $2::vector)) AS similarity
           FROM knowledge_rag_chunks c
          WHERE c.workspace_id = $1 AND c.embedding_status = 'ready' AND c.embedding IS NOT NULL
            AND c.embedding_model = $3 AND vector_dims(c.embedding) = $4 AND c.message_id > $5::uuid
          GROUP BY c.message_id ORDER BY c.message_id LIMIT $6`,
        [workspaceId, embedding, this.embedder.model, this.embedder.dimension, after, MESSAGE_BATCH],
      );
      if (batch.rows.length === 0) break;
      const pairs = batch.rows.map((r) => ({ workspaceId, messageId: r.message_id, topicId, topicName: name, similarity: Number(r.similarity) }));
      total = add(total, await this.apply(pairs, pairs.map((p) => p.messageId), topicId));
      after = batch.rows[batch.rows.length - 1].message_id;
      if (batch.rows.length < MESSAGE_BATCH) break;
    }
    return total;
  }

  /**
   * Scores the pairs and changes what differs from the current assignments: a match not assigned
   * yet is assigned, a semantic assignment that no longer matches is withdrawn. Pairs not scored
   * (archived topics, topics of another embedding space) keep what they have.
   */
  private async apply(pairs: PairScore[], messageIds: string[], onlyTopic?: string): Promise<ClassificationCounts> {
    const counts = zero();
    if (messageIds.length === 0) return counts;
    const current = await this.pool.query<{ message_id: string; topic_id: string; method: string }>(
      `SELECT message_id, topic_id, method FROM knowledge_message_topics_view WHERE message_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR topic_id = $2)`,
      [messageIds, onlyTopic ?? null],
    );
    const assigned = new Map(current.rows.map((r) => [`${r.message_id}:${r.topic_id}`, r.method]));
    const policy = topicMatchPolicy(this.embedder.model);
    // A mention can lift a pair over the threshold only from this close: only those texts are read.
    const needText = [
      ...new Set(pairs.filter((p) => p.similarity >= minCandidateSimilarity(policy) && !isTopicMatch(topicMatchScore(p.similarity, false, policy), policy)).map((p) => p.messageId)),
    ];
    const texts = await this.textsOf(needText);
    for (const p of pairs) {
      const key = `${p.messageId}:${p.topicId}`;
      const mentioned = texts.has(p.messageId) && mentionsTopic(texts.get(p.messageId)!, p.topicName);
      const score = topicMatchScore(p.similarity, mentioned, policy);
      const method = assigned.get(key);
      if (isTopicMatch(score, policy)) {
        if (method === 'manual') continue;
        const done = await this.aggregates.messageTopics.handle(p.messageId, { kind: 'assign', messageId: p.messageId, topicId: p.topicId, method: 'semantic', score, now: new Date() }, this.meta(p.workspaceId));
        if (done.events > 0 && !method) counts.assigned++;
      } else if (method === 'semantic') {
        await this.unassign(p.workspaceId, p.messageId, p.topicId);
        counts.unassigned++;
      }
    }
    return counts;
  }

  private async unassign(workspaceId: string, messageId: string, topicId: string): Promise<void> {
    await this.aggregates.messageTopics.handle(messageId, { kind: 'unassign', messageId, topicId, method: 'semantic', now: new Date() }, this.meta(workspaceId));
  }

  private async textsOf(messageIds: string[]): Promise<Map<string, string>> {
    if (messageIds.length === 0) return new Map();
    const r = await this.pool.query<{ message_id: string; text: string }>(
      `SELECT message_id, string_agg(text, E'\\n' ORDER BY chunk_index) AS text FROM knowledge_rag_chunks WHERE message_id = ANY($1::uuid[]) GROUP BY message_id`,
      [messageIds],
    );
    return new Map(r.rows.map((row) => [row.message_id, row.text]));
  }

  private meta(workspaceId: string): CommandMetadata {
    return { commandId: uuidv7(), workspaceId, actorId: TOPIC_CLASSIFIER_ACTOR, correlationId: uuidv7(), now: new Date() };
  }
}

function toPair(r: { workspace_id: string; message_id: string; topic_id: string; topic_name: string; similarity: number }): PairScore {
  return { workspaceId: r.workspace_id, messageId: r.message_id, topicId: r.topic_id, topicName: r.topic_name, similarity: Number(r.similarity) };
}
