import { Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { RecordedEvent } from '@libs/event-store/event-store.types';
import { BatchedConsumer, ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import { IngestionEvents, MessageEditedV1, MessageIngestedV1 } from '@modules/ingestion/contracts';
import { CHUNKING_CONSUMER } from '@modules/knowledge/contracts/knowledge-embeddings';
import { KnowledgeMessage, chunksOf, knowledgeMessageOf } from '@modules/knowledge/domain/chunking/knowledge-message';
import { ChunkingOptions } from '@modules/knowledge/domain/chunking/message-chunker';
import { KnowledgeChunksWriter } from '@modules/knowledge/infrastructure/knowledge-chunks.writer';

export const CHUNKED_EVENT_TYPES: string[] = [IngestionEvents.MessageIngested, IngestionEvents.MessageEdited, IngestionEvents.MessageDeleted];

/** A message's state after a run of its events: kept (with its content) or gone. */
type Outcome = { kind: 'keep'; message: KnowledgeMessage } | { kind: 'delete' };

/**
 * Chunks every message along the log (a BatchedConsumer: own checkpoint and lease, run by the
 * SubscriptionRunner). Everything is chunked, noise included: search must find everything.
 * Per batch, in ONE transaction with the checkpoint: the events of each message are folded in
 * order (ingested -> content and citation fields, edited -> new content, deleted -> gone), then
 * the evidence items and chunks are upserted or deleted set-based. The writes are idempotent
 * state (deterministic chunk ids, upserts), so a redelivery or a reset-and-replay (the rebuild)
 * gives the same rows; embeddings survive both through the unchanged-hash rule and the cache.
 * Events of a message with a parked event wait behind it: an edit is never applied before its
 * original.
 */
export class ChunkingConsumer extends BatchedConsumer<undefined, number> {
  readonly name = CHUNKING_CONSUMER;
  readonly eventTypes = CHUNKED_EVENT_TYPES;
  readonly ordering = 'per-stream';
  private readonly logger = new Logger('KnowledgeChunking');

  constructor(
    deps: ConsumerDeps,
    options: ConsumerOptions,
    private readonly writer: KnowledgeChunksWriter,
    private readonly chunking: ChunkingOptions,
    /** Called after a commit that left chunks to embed (the embedding worker's wake-up). */
    private readonly onPending: () => void = () => undefined,
  ) {
    super(deps, options);
  }

  /** Applies `events` inside `tx` (also the admin's replay of a parked message). Answers how many chunks wait for an embedding. */
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<number> {
    const relevant = events.filter((e) => CHUNKED_EVENT_TYPES.includes(e.type) && typeof (e.data as { messageId?: unknown })?.messageId === 'string');
    if (relevant.length === 0) return 0;
    const ids = [...new Set(relevant.map((e) => (e.data as { messageId: string }).messageId))];
    const known = await this.writer.lockMessages(tx, ids);

    const outcomes = new Map<string, Outcome>();
    for (const e of relevant) {
      const id = (e.data as { messageId: string }).messageId;
      const before = outcomes.get(id);
      const current = before ? (before.kind === 'keep' ? before.message : null) : (known.get(id) ?? null);
      if (e.type === IngestionEvents.MessageIngested) {
        if (!e.workspaceId) continue;
        outcomes.set(id, { kind: 'keep', message: knowledgeMessageOf(e.data as MessageIngestedV1, e.workspaceId) });
      } else if (e.type === IngestionEvents.MessageEdited) {
        // An edit of a message we never had (or that was deleted) has nothing to change.
        if (current) outcomes.set(id, { kind: 'keep', message: { ...current, content: String((e.data as MessageEditedV1).content ?? '') } });
      } else {
        outcomes.set(id, { kind: 'delete' });
      }
    }

    const keep = [...outcomes.values()].flatMap((o) => (o.kind === 'keep' ? [{ message: o.message, chunks: chunksOf(o.message, this.chunking) }] : []));
    const gone = [...outcomes.entries()].flatMap(([id, o]) => (o.kind === 'delete' ? [id] : []));
    await this.writer.remove(tx, gone);
    return this.writer.upsert(tx, keep);
  }

  override afterCommit(pending: number): void {
    if (pending) this.onPending();
  }

  override onParked(e: RecordedEvent, err: string): void {
    this.logger.warn({ eventId: e.eventId, type: e.type, err }, 'message chunking parked');
  }
}
