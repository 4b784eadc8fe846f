import { Pool } from 'pg';
import { Queryable, RecordedEvent } from '@libs/event-store/event-store.types';

export interface ParkedEvent {
  id: number;
  subscription: string;
  globalPosition: number;
  transactionId: string;
  eventId: string;
  streamId: string;
  eventType: string;
  reason: 'failed' | 'blocked-by-stream';
  error: string | null;
  attempts: number;
  status: 'parked' | 'retried' | 'skipped';
  parkedAt: Date;
  resolvedAt: Date | null;
}

function toParked(r: any): ParkedEvent {
  return {
    id: Number(r.id),
    subscription: r.subscription,
    globalPosition: Number(r.global_position),
    transactionId: r.transaction_id,
    eventId: r.event_id,
    streamId: r.stream_id,
    eventType: r.event_type,
    reason: r.reason,
    error: r.error,
    attempts: r.attempts,
    status: r.status,
    parkedAt: r.parked_at,
    resolvedAt: r.resolved_at,
  };
}

const COLUMNS = `id, subscription, global_position, transaction_id::text AS transaction_id, event_id, stream_id,
  event_type, reason, error, attempts, status, parked_at, resolved_at`;

/** The dead-letter table: nothing a consumer could not apply is dropped silently. */
export class ParkedEvents {
  constructor(private readonly pool: Pool) {}

  async park(tx: Queryable, subscription: string, e: RecordedEvent, reason: ParkedEvent['reason'], error: string | null, attempts: number): Promise<void> {
    await tx.query(
      `INSERT INTO parked_events (subscription, global_position, transaction_id, event_id, stream_id, event_type, reason, error, attempts)
       VALUES ($1, $2, $3::xid8, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (subscription, event_id) DO UPDATE
         SET status = 'parked', reason = EXCLUDED.reason, error = EXCLUDED.error,
             attempts = parked_events.attempts + EXCLUDED.attempts, parked_at = now(), resolved_at = NULL`,
      [subscription, e.globalPosition, e.transactionId, e.eventId, e.streamId, e.type, reason, error, attempts],
    );
  }

  /**
   * Per-stream ordering for every consumer: the events of streams that already have a parked
   * event are parked behind it (in `tx`); the rest come back, in order, to be applied.
   */
  async holdBackBlocked(tx: Queryable, subscription: string, events: RecordedEvent[]): Promise<{ toApply: RecordedEvent[]; parked: number }> {
    if (events.length === 0) return { toApply: events, parked: 0 };
    const blocked = await this.blockedStreams(tx, subscription, [...new Set(events.map((e) => e.streamId))]);
    if (blocked.size === 0) return { toApply: events, parked: 0 };
    for (const e of events) if (blocked.has(e.streamId)) await this.park(tx, subscription, e, 'blocked-by-stream', null, 0);
    const toApply = events.filter((e) => !blocked.has(e.streamId));
    return { toApply, parked: events.length - toApply.length };
  }

  /** Streams with an open parked event among `streamIds` (their later events must wait behind it). */
  async blockedStreams(tx: Queryable, subscription: string, streamIds: string[]): Promise<Set<string>> {
    if (streamIds.length === 0) return new Set();
    const res = await tx.query<{ stream_id: string }>(
      `SELECT DISTINCT stream_id FROM parked_events WHERE subscription = $1 AND status = 'parked' AND stream_id = ANY($2)`,
      [subscription, streamIds],
    );
    return new Set(res.rows.map((r) => r.stream_id));
  }

  async list(filter: { subscription?: string; status?: string; limit?: number } = {}): Promise<ParkedEvent[]> {
    const res = await this.pool.query(
      `SELECT ${COLUMNS} FROM parked_events
        WHERE ($1::text IS NULL OR subscription = $1) AND ($2::text IS NULL OR status = $2)
        ORDER BY parked_events.subscription, parked_events.transaction_id, parked_events.global_position LIMIT $3`,
      [filter.subscription ?? null, filter.status ?? null, filter.limit ?? 500],
    );
    return res.rows.map(toParked);
  }

  async get(id: number): Promise<ParkedEvent | null> {
    const res = await this.pool.query(`SELECT ${COLUMNS} FROM parked_events WHERE id = $1`, [id]);
    return res.rows[0] ? toParked(res.rows[0]) : null;
  }

  /** The open parked events of one stream of one subscription, in log order. */
  async openForStream(tx: Queryable, subscription: string, streamId: string): Promise<ParkedEvent[]> {
    const res = await tx.query(
      `SELECT ${COLUMNS} FROM parked_events WHERE subscription = $1 AND stream_id = $2 AND status = 'parked'
        ORDER BY parked_events.transaction_id, parked_events.global_position FOR UPDATE`,
      [subscription, streamId],
    );
    return res.rows.map(toParked);
  }

  async resolve(tx: Queryable, ids: number[], status: 'retried' | 'skipped'): Promise<void> {
    await tx.query(`UPDATE parked_events SET status = $2, resolved_at = now() WHERE id = ANY($1)`, [ids, status]);
  }

  async recordFailure(tx: Queryable, id: number, error: string): Promise<void> {
    await tx.query(`UPDATE parked_events SET attempts = attempts + 1, error = $2 WHERE id = $1`, [id, error]);
  }
}
