import { RecordedEvent } from './event-store.types';

/** Every column of an `events` row but its payload: what a bulk append returns of the rows it wrote. */
export const EVENT_HEAD_COLUMNS = `global_position, transaction_id::text AS transaction_id, event_id, stream_id, stream_version,
  stream_type, event_type, schema_version, workspace_id, actor_id, correlation_id, causation_id,
  metadata, recorded_at`;

/** The columns of an `events` row as every reader of the log selects them (see EventRow). */
export const EVENT_COLUMNS = `${EVENT_HEAD_COLUMNS}, payload`;

/** An `events` row selected with EVENT_COLUMNS, as pg returns it (bigints as text). */
export interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: string;
  stream_type: string;
  event_type: string;
  schema_version: number;
  workspace_id: string | null;
  actor_id: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  payload: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

/**
 * A row as a RecordedEvent. Its payload is given by the caller as `data` at `schemaVersion`:
 * revealed (personal values) and upcast, which each reader does its own way.
 */
export function recordedEventOf(r: EventRow, data: unknown, schemaVersion: number, erasedFields: string[] = []): RecordedEvent {
  const event: RecordedEvent = {
    globalPosition: Number(r.global_position),
    transactionId: r.transaction_id,
    eventId: r.event_id,
    streamId: r.stream_id,
    streamVersion: Number(r.stream_version),
    streamType: r.stream_type,
    type: r.event_type,
    schemaVersion,
    workspaceId: r.workspace_id,
    actorId: r.actor_id,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    data,
    metadata: r.metadata,
    recordedAt: r.recorded_at,
  };
  if (erasedFields.length) event.erasedFields = erasedFields;
  return event;
}
