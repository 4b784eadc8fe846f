import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { uuidV5 } from '@libs/common/ids/uuid-v5';
import { PG_POOL } from '@libs/database/database-backend';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { NewEvent, STREAM_EXISTS } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { applyRowProjection } from '@libs/eventsourcing/projections/row-projection';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { storableValue } from '@libs/common/text/storable';
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
  /** Input indexes the database refused (what cleaning could not fix), each with a reason a user understands. */
  rejected: { index: number; reason: string }[];
}

type NewStream = { streamId: string; index: number; data: MessageIngestedData; event: NewEvent };

/**
 * SQLSTATE classes that mean "this row's data", not "this database": data exceptions (22) and
 * program limits (54: a value or index entry too large). A batch that fails with one of these is
 * split until the message behind it is found and rejected alone; anything else fails the batch.
 */
const DATA_ERROR = /^(22|54)/;

function isDataError(err: unknown): boolean {
  if (err instanceof RangeError) return true; // e.g. a payload too large to serialise
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DATA_ERROR.test(code);
}

/** Why the database refused a message, in words a user understands (the database's words after). */
function refusalReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const said = (err instanceof Error ? err.message : String(err)).slice(0, 200);
  if (err instanceof RangeError) return `the message is too large to store (${said})`;
  if (code === '54000') return `the message is too large to store (database: ${said})`;
  if (code === '22P05' || code === '22021') return `the message holds characters the database cannot store (database: ${said})`;
  return `the database could not store the message (database: ${said})`;
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
    return messageIdOf(uuidV5, sourceId, externalId);
  }

  async ingest(source: SourceRef, items: IncomingMessage[], ctx: WriteContext): Promise<WriteOutcome> {
    const seen = new Map<string, number>();
    const duplicates: number[] = [];
    const streams: NewStream[] = [];
    // Authors recur within a batch: each one's subject id is derived once.
    const subjects = new Map<string, string>();
    const subjectOf = (author: IncomingMessage['author']) => {
      const key = JSON.stringify([author.externalId, author.email, author.name]);
      let subject = subjects.get(key);
      if (subject === undefined) subjects.set(key, (subject = authorSubjectOf(uuidV5, source.id, author)));
      return subject;
    };
    items.forEach((m, index) => {
      const messageId = this.messageIdOf(source.id, m.externalId);
      if (seen.has(messageId)) {
        duplicates.push(index); // the same message twice in one batch
        return;
      }
      seen.set(messageId, index);
      const data = this.dataOf(source, m, messageId, subjectOf(m.author), ctx.importJobId);
      streams.push({ streamId: messageStreamId(messageId), index, data, event: { type: 'ingestion.message-ingested', data, eventId: uuidV5(`${messageId}:ingested`, MESSAGE_NAMESPACE) } });
    });
    // The authors' keys first, committed on their own: batches written at once share authors.
    if (streams.length) await this.store.prepareSubjectKeys(streams.map((s) => s.event));
    const rejected: WriteOutcome['rejected'] = [];
    const created = new Set<string>();
    await this.writeOrSplit(source, streams, ctx, created, rejected);
    if (created.size) this.store.notifyAppended();
    const refused = new Set(rejected.map((r) => r.index));
    for (const s of streams) if (!created.has(s.streamId) && !refused.has(s.index)) duplicates.push(s.index);
    return {
      stored: streams.filter((s) => created.has(s.streamId)).map((s) => s.data.messageId),
      duplicates: duplicates.sort((a, b) => a - b),
      rejected: rejected.sort((a, b) => a.index - b.index),
    };
  }

  /**
   * One statement for the batch; when the database refuses the data of some message in it, the
   * batch is split in halves and each written again, down to the message that cannot be stored,
   * which is rejected alone: one bad message costs a few extra statements, not the import.
   */
  private async writeOrSplit(source: SourceRef, streams: NewStream[], ctx: WriteContext, created: Set<string>, rejected: WriteOutcome['rejected']): Promise<void> {
    if (streams.length === 0) return;
    try {
      for (const id of await this.write(source, streams, ctx)) created.add(id);
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (streams.length === 1) {
        rejected.push({ index: streams[0].index, reason: refusalReason(err) });
        return;
      }
      const half = Math.ceil(streams.length / 2);
      await this.writeOrSplit(source, streams.slice(0, half), ctx, created, rejected);
      await this.writeOrSplit(source, streams.slice(half), ctx, created, rejected);
    }
  }

  private write(source: SourceRef, streams: NewStream[], ctx: WriteContext): Promise<Set<string>> {
    return inTransaction(this.pool, async (tx) => {
      const out = await this.store.appendNewStreams(
        streams.map((s) => ({ streamId: s.streamId, events: [s.event] })),
        { streamType: 'message', workspaceId: source.workspaceId, actorId: ctx.actorId, correlationId: ctx.correlationId, causationId: ctx.importJobId, client: tx },
      );
      await applyRowProjection(this.projection, out.events, tx);
      return new Set(out.created);
    });
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
    const data = storableValue({ ...event, messageId });
    try {
      await inTransaction(this.pool, async (tx) => {
        // Lock order: the read-model row, then the stream, as the noise-scoring consumer does
        // (it locks its targets first); the other order deadlocks with a batch scoring this message.
        await tx.query('SELECT 1 FROM ingestion_messages_view WHERE id = $1 FOR UPDATE', [messageId]);
        const written = await this.store.appendToStreams([{ streamId: messageStreamId(messageId), event: { type, data } }], {
          streamType: 'message',
          expectedVersion: STREAM_EXISTS,
          workspaceId: source.workspaceId,
          actorId: ctx.actorId,
          correlationId: ctx.correlationId,
          client: tx,
        });
        await applyRowProjection(this.projection, written, tx);
      });
    } catch (err) {
      if (err instanceof ConcurrencyError) return false;
      throw err;
    }
    this.store.notifyAppended();
    return true;
  }

  /** Every intake's message passes here: what PostgreSQL cannot store is cleaned out once, for all formats and connectors. */
  private dataOf(source: SourceRef, m: IncomingMessage, messageId: string, authorSubjectId: string, importJobId: string | null): MessageIngestedData {
    const data: MessageIngestedData = {
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
      authorSubjectId,
      author: m.author,
      title: m.title,
      to: m.to,
      cc: m.cc,
      email: m.email,
      metadata: m.metadata,
      raw: m.raw,
      importJobId,
    };
    const clean = storableValue(data);
    // Said, not hidden: the stored text differs from what the source sent.
    return clean === data ? data : { ...clean, metadata: { ...clean.metadata, textCleaned: true } };
  }
}
