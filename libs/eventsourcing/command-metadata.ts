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
  /**
   * Where the key holds, besides the workspace: the caller and the route (the http layer sets
   * `<actor> <METHOD> <path>`). Keys of different callers or routes never meet, so one user's
   * key cannot answer another's request. Unset (sagas, internal commands): the actor alone.
   */
  idempotencyScope?: string;
  /** The person the stored answer belongs to (a user id; an API key's creator): erasing them deletes it. */
  idempotencyOwnerId?: string | null;
}

/** The scope a command's Idempotency-Key is stored under (see CommandMetadata.idempotencyScope). */
export function idempotencyScopeOf(meta: Pick<CommandMetadata, 'idempotencyScope' | 'actorId'>): string {
  return meta.idempotencyScope ?? `actor:${meta.actorId ?? 'anonymous'}`;
}

/**
 * The key with its scope, for ids derived from it (a create under a key names the same entity on
 * a retry): two callers using the same key then name two entities. Undefined without a key.
 */
export function scopedIdempotencyKey(meta: Pick<CommandMetadata, 'idempotencyKey' | 'idempotencyScope' | 'actorId'>): string | undefined {
  return meta.idempotencyKey === undefined ? undefined : `${idempotencyScopeOf(meta)}\n${meta.idempotencyKey}`;
}
