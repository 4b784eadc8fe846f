import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { PG_POOL } from '@libs/database/database-backend';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { RecordedEvent, STREAM_EXISTS } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { applyRowProjection } from '@libs/eventsourcing/projections/row-projection';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import { authorSubjectOf, MESSAGE_NAMESPACE, messageIdOf, messageStreamId } from '@modules/ingestion/domain/message/message-identity';
import { MessageEvent, MessageIngestedData } from '@modules/ingestion/domain/message/message.events';
import { MessagesProjection } from '@modules/ingestion/projections/messages.projection';

export interface SourceRef {
  id: string;
  kind: SourceKind;
  workspaceId: string;
}

export interface WriteContext {
  importJobId: string | null;
  actorId: string | null;
  correlationId: string | null;
}

export interface WriteOutcome {
  /** Message ids stored by this call. */
  stored: string[];
  /** Input indexes (of the batch) that were already stored, by an earlier import, webhook or sync. */
  duplicates: number[];
}

/**
 * Writes messages: a batch of new message streams in ONE statement (`appendNewStreams`: a stream
 * that exists is a duplicate, by construction of the ids) and the messages read model in the same
 * transaction. Edits and deletions append to an existing message's stream.
 */
@Injectable()
export class MessageWriter {
  private readonly projection = new MessagesProjection();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
  ) {}

  messageIdOf(sourceId: string, externalId: string): string {
    return messageIdOf(uuidv5, sourceId, externalId);
  }

  async ingest(source: SourceRef, items: IncomingMessage[], ctx: WriteContext): Promise<WriteOutcome> {
    const seen = new Map<string, number>();
    const duplicates: number[] = [];
    const streams: { streamId: string; index: number; data: MessageIngestedData }[] = [];
    items.forEach((m, index) => {
      const messageId = this.messageIdOf(source.id, m.externalId);
      if (seen.has(messageId)) {
        duplicates.push(index); // the same message twice in one batch
        return;
      }
      seen.set(messageId, index);
      streams.push({ streamId: messageStreamId(messageId), index, data: this.dataOf(source, m, messageId, ctx.importJobId) });
    });
    if (streams.length === 0) return { stored: [], duplicates };
    const now = new Date();
    const created = await inTransaction(this.pool, async (tx) => {
      const out = await this.store.appendNewStreams(
        streams.map((s) => ({
          streamId: s.streamId,
          events: [{ type: 'ingestion.message-ingested', data: s.data, eventId: uuidv5(`${s.data.messageId}:ingested`, MESSAGE_NAMESPACE) }],
        })),
        { streamType: 'message', workspaceId: source.workspaceId, actorId: ctx.actorId, correlationId: ctx.correlationId, causationId: ctx.importJobId, client: tx },
      );
      const createdIds = new Set(out.created);
      // The read model from the plaintext we hold (the log has the personal fields sealed).
      const recorded = streams.filter((s) => createdIds.has(s.streamId)).map((s) => this.recorded(s.streamId, 'ingestion.message-ingested', s.data, source.workspaceId, now));
      await applyRowProjection(this.projection, recorded, tx);
      return createdIds;
    });
    if (created.size) this.store.notifyAppended();
    for (const s of streams) if (!created.has(s.streamId)) duplicates.push(s.index);
    return { stored: streams.filter((s) => created.has(s.streamId)).map((s) => s.data.messageId), duplicates: duplicates.sort((a, b) => a - b) };
  }

  /** Appends an edit or deletion to a stored message; false when the message is unknown. */
  async change<T extends Exclude<MessageEvent['type'], 'ingestion.message-ingested'>>(
    source: SourceRef,
    externalId: string,
    type: T,
    event: Omit<Extract<MessageEvent, { type: T }>['data'], 'messageId'>,
    ctx: WriteContext,
  ): Promise<boolean> {
    const messageId = this.messageIdOf(source.id, externalId);
    const data = { ...event, messageId };
    try {
      await inTransaction(this.pool, async (tx) => {
        // Lock order: the read-model row, then the stream, as the noise-scoring consumer does
        // (it locks its targets first); the other order deadlocks with a batch scoring this message.
        await tx.query('SELECT 1 FROM ingestion_messages_view WHERE id = $1 FOR UPDATE', [messageId]);
        await this.store.append(messageStreamId(messageId), [{ type, data }], {
          streamType: 'message',
          expectedVersion: STREAM_EXISTS,
          workspaceId: source.workspaceId,
          actorId: ctx.actorId,
          correlationId: ctx.correlationId,
          client: tx,
        });
        await applyRowProjection(this.projection, [this.recorded(messageStreamId(messageId), type, data, source.workspaceId, new Date())], tx);
      });
    } catch (err) {
      if (err instanceof ConcurrencyError) return false;
      throw err;
    }
    this.store.notifyAppended();
    return true;
  }

  private dataOf(source: SourceRef, m: IncomingMessage, messageId: string, importJobId: string | null): MessageIngestedData {
    return {
      messageId,
      sourceId: source.id,
      sourceKind: source.kind,
      externalId: m.externalId,
      content: m.content,
      sentAt: m.sentAt,
      channelId: m.channelId,
      channelName: m.channelName,
      threadId: m.threadId,
      isReply: m.isReply,
      conversationId: m.conversationId,
      authorSubjectId: authorSubjectOf(uuidv5, source.id, m.author),
      author: m.author,
      title: m.title,
      to: m.to,
      cc: m.cc,
      email: m.email,
      metadata: m.metadata,
      raw: m.raw,
      importJobId,
    };
  }

  private recorded(streamId: string, type: string, data: unknown, workspaceId: string, at: Date): RecordedEvent {
    return {
      globalPosition: 0,
      transactionId: '0',
      eventId: '',
      streamId,
      streamVersion: 0,
      streamType: 'message',
      type,
      schemaVersion: 1,
      workspaceId,
      actorId: null,
      correlationId: null,
      causationId: null,
      data,
      metadata: {},
      recordedAt: at,
    };
  }
}
