import { Injectable } from '@nestjs/common';
import { PoolClient } from 'pg';
import { Checkpoint, STREAM_EXISTS } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { applyRowProjection } from '@libs/eventsourcing/projections/row-projection';
import { messageStreamId } from '@modules/ingestion/domain/message/message-identity';
import { MessageEvent } from '@modules/ingestion/domain/message/message.events';
import { MessagesProjection } from '@modules/ingestion/projections/messages.projection';

export type ClassifiedData = Extract<MessageEvent, { type: 'ingestion.message-classified' }>['data'];

/** What scoring needs of a stored message, read (and locked) from the messages read model. */
export interface ClassificationTarget {
  id: string;
  workspaceId: string;
  authorSubjectId: string | null;
  authorName: string | null;
  authorEmail: string | null;
  metadata: Record<string, unknown>;
  sentAt: Date;
  deleted: boolean;
  /** Log position of the last event scored for this message; null if never scored. */
  scored: Checkpoint | null;
}

export interface Classification {
  /** Deterministic (derived from the scored event), so a redelivery is recognised. */
  eventId: string;
  workspaceId: string;
  data: ClassifiedData;
  correlationId: string | null;
  causationId: string | null;
  /** Hash of author + normalised content, kept for duplicate detection; null when there is no content. */
  fingerprint: string | null;
  sentAt: Date;
  /** Log position of the scored event. */
  position: Checkpoint;
}

export interface FingerprintProbe {
  fingerprint: string;
  messageId: string;
  sentAt: Date;
}

export const CLASSIFIED = 'ingestion.message-classified' as const;

/**
 * The batched sibling of MessageWriter.change for classifications: inside the caller's
 * transaction (a consumer's batch with its checkpoint), appends `ingestion.message-classified`
 * to each message stream, updates the messages read model set-based (one SELECT, one upsert)
 * and keeps scoring's own state per message (last scored position, content fingerprint).
 */
@Injectable()
export class MessageClassificationWriter {
  private readonly projection = new MessagesProjection();

  constructor(private readonly store: PostgresEventStore) {}

  /**
   * The messages' rows with their scoring state, locked (in id order: no deadlock between
   * batches) so an erasure or an edit committing meanwhile is not overwritten by the upsert of
   * rows read before it.
   */
  async lockTargets(tx: PoolClient, messageIds: string[]): Promise<Map<string, ClassificationTarget>> {
    if (messageIds.length === 0) return new Map();
    const r = await tx.query(
      `SELECT v.id, v.workspace_id, v.author_subject_id, v.author_name, v.author_email, v.metadata, v.sent_at, v.processing_state,
              s.last_tx::text AS last_tx, s.last_pos
         FROM ingestion_messages_view v LEFT JOIN ingestion_noise_state s ON s.message_id = v.id
        WHERE v.id = ANY($1::uuid[]) ORDER BY v.id FOR UPDATE OF v`,
      [messageIds],
    );
    return new Map(
      r.rows.map((row) => [
        row.id,
        {
          id: row.id,
          workspaceId: row.workspace_id,
          authorSubjectId: row.author_subject_id,
          authorName: row.author_name,
          authorEmail: row.author_email,
          metadata: row.metadata ?? {},
          sentAt: row.sent_at,
          deleted: row.processing_state === 'deleted',
          scored: row.last_tx === null ? null : { transactionId: row.last_tx, globalPosition: Number(row.last_pos) },
        },
      ]),
    );
  }

  /** Indexes of `probes` whose fingerprint another message carries, sent within `windowDays` of it. */
  async seenWithin(tx: PoolClient, probes: FingerprintProbe[], windowDays: number): Promise<Set<number>> {
    if (probes.length === 0) return new Set();
    const r = await tx.query<{ idx: string }>(
      `SELECT DISTINCT p.idx
         FROM unnest($1::text[], $2::uuid[], $3::timestamptz[]) WITH ORDINALITY AS p(fingerprint, message_id, sent_at, idx)
         JOIN ingestion_noise_state f
           ON f.fingerprint = p.fingerprint AND f.message_id <> p.message_id
          AND f.sent_at BETWEEN p.sent_at - make_interval(days => $4) AND p.sent_at + make_interval(days => $4)`,
      [probes.map((p) => p.fingerprint), probes.map((p) => p.messageId), probes.map((p) => p.sentAt), windowDays],
    );
    return new Set(r.rows.map((row) => Number(row.idx) - 1));
  }

  /**
   * Appends each classification to its message stream, all in ONE statement (the store's
   * appendToStreams: ~8x the classifications per second of one append per round trip; a
   * missing stream fails it with a ConcurrencyError), and applies what it wrote to the read model.
   */
  async record(tx: PoolClient, items: Classification[], actorId: string): Promise<void> {
    if (items.length === 0) return;
    const written = await this.store.appendToStreams(
      items.map((c) => ({
        streamId: messageStreamId(c.data.messageId),
        event: { type: CLASSIFIED, data: c.data, eventId: c.eventId },
        workspaceId: c.workspaceId,
        correlationId: c.correlationId,
        causationId: c.causationId,
      })),
      { streamType: 'message', expectedVersion: STREAM_EXISTS, actorId, client: tx },
    );
    await applyRowProjection(this.projection, written, tx);
    await tx.query(
      `INSERT INTO ingestion_noise_state (message_id, workspace_id, fingerprint, sent_at, last_tx, last_pos)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::xid8[], $6::bigint[])
       ON CONFLICT (message_id) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, sent_at = EXCLUDED.sent_at, last_tx = EXCLUDED.last_tx,
             last_pos = EXCLUDED.last_pos, scored_at = now()`,
      [
        items.map((c) => c.data.messageId),
        items.map((c) => c.workspaceId),
        items.map((c) => c.fingerprint),
        items.map((c) => c.sentAt),
        items.map((c) => c.position.transactionId),
        items.map((c) => c.position.globalPosition),
      ],
    );
  }

  /** Wakes the consumers of the log; call after the transaction committed. */
  notifyAppended(): void {
    this.store.notifyAppended();
  }
}
