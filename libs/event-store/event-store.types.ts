export const NO_STREAM = 'no_stream' as const;
export const STREAM_EXISTS = 'stream_exists' as const;
export const ANY = 'any' as const;

/** An exact version (the number of events in the stream), or one of the three special expectations. */
export type ExpectedVersion = number | typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY;

/** An event to append. `type` is a stable name ('identity.user-registered'), never a class name. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  /** Defaults to the registry's current version of the type, else 1. */
  schemaVersion?: number;
  /** Deterministic ids make redelivered commands harmless; a UUID v7 is generated otherwise. */
  eventId?: string;
  metadata?: Record<string, unknown>;
}

export interface RecordedEvent<TType extends string = string, TData = unknown> {
  globalPosition: number;
  transactionId: string;
  eventId: string;
  streamId: string;
  streamVersion: number;
  streamType: string;
  type: TType;
  schemaVersion: number;
  workspaceId: string | null;
  actorId: string | null;
  correlationId: string | null;
  causationId: string | null;
  data: TData;
  metadata: Record<string, unknown>;
  recordedAt: Date;
  /**
   * Personal fields (paths as stored, dots for nesting) whose data subject was erased: their
   * values read as ERASED ('[erased]'). Absent when nothing was erased.
   */
  erasedFields?: string[];
}

/** Position in the global log: events are ordered by (transactionId, globalPosition). */
export interface Checkpoint {
  transactionId: string;
  globalPosition: number;
}

export const START_OF_LOG: Checkpoint = { transactionId: '0', globalPosition: 0 };

export interface AppendContext {
  workspaceId?: string | null;
  actorId?: string | null;
  correlationId?: string | null;
  causationId?: string | null;
  /** Only for imports of history and tests: the partition follows this timestamp. */
  recordedAt?: Date;
}

export interface AppendOptions extends AppendContext {
  streamType: string;
  expectedVersion: ExpectedVersion;
  /**
   * A retried command with the same key, in the same workspace and scope, returns the first
   * result and appends nothing, until the key expires (the store's TTL); then it is new again.
   */
  idempotency?: IdempotencyOptions;
  /** Run inside the caller's transaction (inline projections); autocommit otherwise. */
  client?: Queryable;
}

export interface IdempotencyOptions {
  key: string;
  /** Who and where the key holds (caller and route); keys of different scopes never meet. Default ''. */
  scope?: string;
  /** The data subject the stored answer belongs to: their erasure deletes it. */
  ownerId?: string | null;
  requestHash?: string;
  result?: unknown;
}

export type AppendResult =
  | {
      duplicate: false;
      nextExpectedVersion: number;
      firstPosition: number;
      lastPosition: number;
      transactionId: string;
    }
  | { duplicate: true; result: unknown; requestHash: string | null };

/** What `appendNewStreams` did: the streams it created, those that existed, and what it wrote. */
export interface NewStreamsResult {
  created: string[];
  existing: string[];
  /**
   * The events written (the created streams' ones), in log order, as readAll will read them:
   * their data is the data given, personal values in clear (inline projections take them).
   */
  events: RecordedEvent[];
}

/**
 * One event for one stream of `appendToStreams`; the context left undefined is the call's
 * (null is a value: no causation, say).
 */
export interface StreamEvent {
  streamId: string;
  event: NewEvent;
  workspaceId?: string | null;
  correlationId?: string | null;
  causationId?: string | null;
}

export interface ReadStreamOptions {
  direction?: 'forward' | 'backward';
  /** Inclusive. Forward defaults to 1, backward to the last version. */
  fromVersion?: number;
  maxCount?: number;
}

export interface ReadStreamResult<E extends RecordedEvent = RecordedEvent> {
  streamExists: boolean;
  currentVersion: number;
  events: E[];
}

export interface ReadAllOptions {
  after?: Checkpoint;
  limit?: number;
  eventTypes?: string[];
  workspaceId?: string;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** Where the next read starts. Moves past filtered-out events up to the safe horizon. */
  checkpoint: Checkpoint;
}

/** The slice of pg's Pool / PoolClient the store needs. */
export interface Queryable {
  query<R extends Record<string, any> = any>(
    text: string | { name?: string; text: string; values?: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
