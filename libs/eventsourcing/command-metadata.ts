import { ExpectedVersion } from '@libs/event-store/event-store.types';

/**
 * Everything a command carries besides its intent. Filled from the request context by the
 * http layer (or by a saga, with a deterministic commandId derived from the causing event).
 */
export interface CommandMetadata {
  /** Becomes the causation id of the events; deterministic ids make redeliveries harmless. */
  commandId: string;
  workspaceId: string | null;
  actorId: string | null;
  /** The request id (X-Request-Id) or the correlation id of the causing event. */
  correlationId: string;
  /** The decision time, so deciders never read a clock. */
  now: Date;
  /** From If-Match: the client's view of the aggregate version. */
  expectedVersion?: ExpectedVersion;
  /** From Idempotency-Key: a retry returns the first result. */
  idempotencyKey?: string;
}
