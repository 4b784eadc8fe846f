import { Pool, PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { WakeUpSignal } from '@libs/database/coordination/coordination.port';
import { ConcurrencyError } from './concurrency.error';
import { EVENT_COLUMNS, EVENT_HEAD_COLUMNS, EventRow, recordedEventOf } from './event-rows';
import { EventTypeRegistry } from './event-type-registry';
import { plainPayload, subjectOf } from './personal-data';
import { PersonalDataCipher } from './personal-data-cipher';
import {
  ANY,
  AppendOptions,
  AppendResult,
  Checkpoint,
  ExpectedVersion,
  NewEvent,
  NewStreamsResult,
  NO_STREAM,
  Queryable,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  ReadStreamResult,
  RecordedEvent,
  START_OF_LOG,
  STREAM_EXISTS,
  StreamEvent,
} from './event-store.types';

/** Channel woken after every successful append (subscriptions listen to it). */
export const EVENTS_APPENDED_CHANNEL = 'es_events_appended';

const APPEND_SQL = `SELECT * FROM es_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, make_interval(secs => $19))`;

/** How long an idempotency key is honoured unless the store is told otherwise (IDEMPOTENCY_KEY_TTL_HOURS). */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * Bulk creation of new streams: insert the stream rows that do not exist yet, then the events of
 * exactly those streams, numbered 1..n within each stream, and return those events' rows but
 * their payloads (the caller holds them, in clear). One statement, one round trip.
 */
const APPEND_NEW_STREAMS_SQL = `WITH s AS (
    SELECT * FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS s(stream_id, n, idx)
  ), new_streams AS (
    INSERT INTO event_streams (stream_id, stream_type, workspace_id, version, created_at, updated_at)
    SELECT stream_id, $3, $4, n, coalesce($14::timestamptz, now()), coalesce($14::timestamptz, now()) FROM s
    ORDER BY stream_id -- one lock order for every writer: two batches sharing streams wait, never deadlock
    ON CONFLICT (stream_id) DO NOTHING
    RETURNING stream_id
  ), e AS (
    -- The payloads come as ONE json array: a text[] of JSON documents is escaped element by
    -- element on the way in and unescaped again by the server, for every quote of every message.
    SELECT e.*, p.payload, row_number() OVER (PARTITION BY e.sidx ORDER BY e.ord) AS version
      FROM unnest($5::int[], $6::uuid[], $7::text[], $8::int[], $10::jsonb[])
           WITH ORDINALITY AS e(sidx, id, typ, sv, meta, ord)
      JOIN jsonb_array_elements($9::jsonb) WITH ORDINALITY AS p(payload, pord) ON p.pord = e.ord
  ), ins AS (
    INSERT INTO events (event_id, stream_id, stream_version, stream_type, event_type, schema_version,
                        workspace_id, actor_id, correlation_id, causation_id, payload, metadata, recorded_at)
    SELECT e.id, s.stream_id, e.version, $3, e.typ, coalesce(e.sv, 1), $4, $11, $12, $13, e.payload,
           coalesce(e.meta, '{}'::jsonb), coalesce($14::timestamptz, now())
      FROM e JOIN s ON s.idx = e.sidx JOIN new_streams n ON n.stream_id = s.stream_id
    ORDER BY e.ord
    RETURNING ${EVENT_HEAD_COLUMNS}
  )
  SELECT * FROM ins`;

/**
 * One event on each of many streams in ONE statement: es_append (stream compare-and-set,
 * positions, partitions) called once per stream by the statement instead of once per round
 * trip. With one event per call, es_append's first position is that event's position, and
 * now() is its recorded time (the transaction's).
 */
const APPEND_TO_STREAMS_SQL = `SELECT r.first_position AS global_position, r.tx_id::text AS transaction_id, r.next_version AS stream_version,
       coalesce($12::timestamptz, now()) AS recorded_at
  FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::text[], $9::text[]) WITH ORDINALITY
       AS s(stream_id, workspace_id, event_id, event_type, schema_version, payload, metadata, correlation_id, causation_id, ord)
 CROSS JOIN LATERAL es_append(s.stream_id, $10, s.workspace_id, $11, ARRAY[s.event_id], ARRAY[s.event_type], ARRAY[s.schema_version],
                              ARRAY[s.payload], ARRAY[s.metadata], $13::text, s.correlation_id, s.causation_id, $12::timestamptz,
                              NULL, NULL, NULL) r
 ORDER BY s.ord`;

/** What APPEND_TO_STREAMS_SQL returns per event (the rest of the row is the caller's input). */
interface AppendedRow {
  global_position: string;
  transaction_id: string;
  stream_version: string;
  recorded_at: Date;
}

/**
 * es_append's conflict (SQLSTATE ES409) as a ConcurrencyError. Its message names the stream
 * (`streamId` says it for a one-stream append) and its detail the stream's version or 'none'.
 */
function concurrencyErrorOf(err: unknown, expected: ExpectedVersion, streamId?: string): ConcurrencyError | null {
  const pgError = err as { code?: unknown; detail?: unknown; message?: unknown } | null;
  if (pgError?.code !== 'ES409') return null;
  const stream = streamId ?? /concurrency conflict on stream (.*)$/.exec(String(pgError.message))?.[1] ?? 'unknown';
  const actual = typeof pgError.detail === 'string' && pgError.detail !== 'none' ? Number(pgError.detail) : null;
  return new ConcurrencyError(stream, expected, actual);
}

function expectedToSql(expected: ExpectedVersion): number {
  if (expected === NO_STREAM) return 0;
  if (expected === ANY) return -1;
  if (expected === STREAM_EXISTS) return -2;
  if (!Number.isInteger(expected) || expected < 0) {
    throw new RangeError(`Expected version must be a non-negative integer, got ${String(expected)}`);
  }
  return expected;
}

export interface EventStoreOptions {
  registry?: EventTypeRegistry;
  wakeUp?: WakeUpSignal;
  /**
   * Named prepared statements save a parse and plan per append on a real server. Off for the
   * embedded database, where every connection shares one backend and so one statement namespace.
   */
  namedStatements?: boolean;
  /**
   * Seals the fields event types declare personal (registry.personalData) and reveals them on
   * read. Without it (or without its SecretBox) only events without personal data work.
   */
  personalData?: PersonalDataCipher;
  /** How long a stored idempotent answer is replayed; after that its key counts as new (default 24 h). */
  idempotencyTtlSeconds?: number;
}

/** The event store on PostgreSQL (the machine's server or the embedded PGlite: same SQL). */
export class PostgresEventStore {
  readonly registry: EventTypeRegistry;
  private readonly wakeUp?: WakeUpSignal;
  private readonly appendStatementName?: string;
  readonly personalData: PersonalDataCipher;
  private readonly idempotencyTtlSeconds: number;

  constructor(
    private readonly pool: Pool,
    options: EventStoreOptions = {},
  ) {
    this.registry = options.registry ?? new EventTypeRegistry();
    this.wakeUp = options.wakeUp;
    // v2: es_append with the idempotency scope, owner and TTL (migration 1764086401400).
    this.appendStatementName = options.namedStatements ? 'es_append_v2' : undefined;
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
    this.personalData = options.personalData ?? new PersonalDataCipher();
  }

  async append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    const expected = expectedToSql(options.expectedVersion);
    // Only events of declared types pay for personal data: one more statement (their subjects'
    // keys) before the append. Everything else stays the one es_append statement.
    const payloads = this.registry.declaresPersonalData && events.some((e) => this.registry.personalDataOf(e.type))
      ? await this.personalData.seal(streamId, events, this.registry, options.client ?? this.pool)
      : events.map(plainPayload);
    const values = [
      streamId,
      options.streamType,
      options.workspaceId ?? null,
      expected,
      events.map((e) => e.eventId ?? uuidv7()),
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion ?? this.registry.currentVersion(e.type)),
      payloads,
      events.map((e) => JSON.stringify(e.metadata ?? {})),
      options.actorId ?? null,
      options.correlationId ?? null,
      options.causationId ?? null,
      options.recordedAt ?? null,
      options.idempotency?.key ?? null,
      options.idempotency?.requestHash ?? null,
      options.idempotency ? JSON.stringify(options.idempotency.result ?? null) : null,
      options.idempotency?.scope ?? '',
      options.idempotency?.ownerId ?? null,
      this.idempotencyTtlSeconds,
    ];
    let row: any;
    try {
      const res = options.client
        ? await options.client.query({ name: this.appendStatementName, text: APPEND_SQL, values })
        : await this.onPooledConnection((c) => c.query({ name: this.appendStatementName, text: APPEND_SQL, values }));
      row = res.rows[0];
    } catch (err) {
      throw concurrencyErrorOf(err, options.expectedVersion, streamId) ?? err;
    }
    if (row.duplicate) {
      return { duplicate: true, result: row.stored_result, requestHash: row.stored_request_hash };
    }
    // Inside a caller's transaction the wake-up is the caller's job, after its commit.
    if (!options.client) this.wakeUp?.notify(EVENTS_APPENDED_CHANNEL);
    return {
      duplicate: false,
      nextExpectedVersion: Number(row.next_version),
      firstPosition: Number(row.first_position),
      lastPosition: Number(row.last_position),
      transactionId: String(row.tx_id),
    };
  }

  /**
   * Creates many new streams in ONE statement (bulk ingestion): each stream is written only if it
   * does not exist yet, so deterministic stream ids make a re-import store nothing new. Existing
   * streams are reported, untouched. Returns the events written, as readAll will read them, for
   * the caller's inline projections. Runs in the caller's transaction when `client` is given
   * (with its inline projections); the caller wakes subscriptions after its commit.
   */
  async appendNewStreams(
    streams: { streamId: string; events: NewEvent[] }[],
    options: Omit<AppendOptions, 'expectedVersion' | 'idempotency'>,
  ): Promise<NewStreamsResult> {
    if (streams.length === 0) return { created: [], existing: [], events: [] };
    if (streams.some((s) => s.events.length === 0)) throw new RangeError('every new stream needs at least one event');
    const flat = streams.flatMap((s, i) => s.events.map((e) => ({ e, i })));
    const events = flat.map(({ e }) => e);
    const payloads = this.registry.declaresPersonalData && events.some((e) => this.registry.personalDataOf(e.type))
      ? await this.personalData.sealMany(events, this.registry, options.client ?? this.pool)
      : events.map(plainPayload);
    const eventIds = events.map((e) => e.eventId ?? uuidv7());
    const schemaVersions = events.map((e) => e.schemaVersion ?? this.registry.currentVersion(e.type));
    const values = [
      streams.map((s) => s.streamId),
      streams.map((s) => s.events.length),
      options.streamType,
      options.workspaceId ?? null,
      flat.map(({ i }) => i + 1),
      eventIds,
      events.map((e) => e.type),
      schemaVersions,
      `[${payloads.map((p) => p ?? 'null').join(',')}]`,
      events.map((e) => JSON.stringify(e.metadata ?? {})),
      options.actorId ?? null,
      options.correlationId ?? null,
      options.causationId ?? null,
      options.recordedAt ?? null,
    ];
    const db: Queryable = options.client ?? this.pool;
    const res = await db.query<Omit<EventRow, 'payload'>>(APPEND_NEW_STREAMS_SQL, values);
    // The rows come back without their payloads: the data given is what was written, in clear.
    const given = new Map<string, unknown>(streams.flatMap((s) => s.events.map((e, v): [string, unknown] => [`${s.streamId}\u0000${v + 1}`, e.data])));
    const written = res.rows
      .map((r) => this.writtenEvent({ ...r, payload: given.get(`${r.stream_id}\u0000${r.stream_version}`) }))
      .sort((a, b) => a.globalPosition - b.globalPosition);
    const created = new Set(written.map((e) => e.streamId));
    if (!options.client && created.size) this.wakeUp?.notify(EVENTS_APPENDED_CHANNEL);
    return {
      created: [...created],
      existing: streams.map((s) => s.streamId).filter((id) => !created.has(id)),
      events: written,
    };
  }

  /**
   * One event on each of many streams (new or existing: `expectedVersion` ANY, or STREAM_EXISTS
   * which fails the whole statement with a ConcurrencyError on a missing stream) in ONE append
   * statement. Returns the events written, in log order, as readAll will read them, for the
   * caller's inline projections. Personal data costs one key statement per stream first, as in
   * `append`. Runs in the caller's transaction when `client` is given; the caller then wakes
   * subscriptions after its commit.
   */
  async appendToStreams(
    items: StreamEvent[],
    options: Omit<AppendOptions, 'expectedVersion' | 'idempotency'> & { expectedVersion: typeof ANY | typeof STREAM_EXISTS },
  ): Promise<RecordedEvent[]> {
    if (items.length === 0) return [];
    const db: Queryable = options.client ?? this.pool;
    const events = items.map((it) => it.event);
    const payloads = this.registry.declaresPersonalData && events.some((e) => this.registry.personalDataOf(e.type))
      ? await this.sealEach(items, db)
      : events.map(plainPayload);
    const context = (it: StreamEvent) => ({
      workspaceId: it.workspaceId !== undefined ? it.workspaceId : (options.workspaceId ?? null),
      correlationId: it.correlationId !== undefined ? it.correlationId : (options.correlationId ?? null),
      causationId: it.causationId !== undefined ? it.causationId : (options.causationId ?? null),
    });
    const contexts = items.map(context);
    const eventIds = events.map((e) => e.eventId ?? uuidv7());
    const schemaVersions = events.map((e) => e.schemaVersion ?? this.registry.currentVersion(e.type));
    const values = [
      items.map((it) => it.streamId),
      contexts.map((c) => c.workspaceId),
      eventIds,
      events.map((e) => e.type),
      schemaVersions,
      payloads,
      events.map((e) => JSON.stringify(e.metadata ?? {})),
      contexts.map((c) => c.correlationId),
      contexts.map((c) => c.causationId),
      options.streamType,
      expectedToSql(options.expectedVersion),
      options.recordedAt ?? null,
      options.actorId ?? null,
    ];
    let rows: AppendedRow[];
    try {
      rows = (await db.query<AppendedRow>(APPEND_TO_STREAMS_SQL, values)).rows;
    } catch (err) {
      throw concurrencyErrorOf(err, options.expectedVersion) ?? err;
    }
    if (!options.client) this.wakeUp?.notify(EVENTS_APPENDED_CHANNEL);
    return rows
      .map((r, i) =>
        this.writtenEvent({
          ...r,
          event_id: eventIds[i],
          stream_id: items[i].streamId,
          stream_type: options.streamType,
          event_type: events[i].type,
          schema_version: schemaVersions[i],
          workspace_id: contexts[i].workspaceId,
          actor_id: options.actorId ?? null,
          correlation_id: contexts[i].correlationId,
          causation_id: contexts[i].causationId,
          payload: events[i].data,
          metadata: events[i].metadata ?? {},
        }),
      )
      .sort((a, b) => a.globalPosition - b.globalPosition);
  }

  /** Seals each event with its own stream's keys statement, which links the stream to its subjects (as `append` does). */
  private async sealEach(items: StreamEvent[], db: Queryable): Promise<string[]> {
    const payloads: string[] = [];
    for (const it of items) payloads.push(...(await this.personalData.seal(it.streamId, [it.event], this.registry, db)));
    return payloads;
  }

  /** A row just written, its payload the clear data given: upcast as a read would (a no-op at the current version). */
  private writtenEvent(r: EventRow): RecordedEvent {
    const up = this.registry.upcast(r.event_type, r.schema_version, r.payload);
    return recordedEventOf(r, up.data, up.schemaVersion);
  }

  /**
   * pool.query() throws the connection away after ANY error, so every concurrency conflict
   * would cost a reconnect (and, on a server, its prepared statements). A server-side error
   * (it has a SQLSTATE) leaves the connection healthy, so it goes back to the pool.
   */
  private async onPooledConnection<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (err: any) {
      if (typeof err?.code !== 'string' || err.code.length !== 5) broken = err;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Deletes the idempotency keys past their expiry (scheduled hourly). Only storage hygiene: an
   * expired key is already treated as new by es_append, whether or not it was purged.
   */
  async purgeExpiredIdempotencyKeys(db: Queryable = this.pool): Promise<number> {
    const res = await db.query(`DELETE FROM idempotency_keys WHERE expires_at <= now()`);
    return res.rowCount ?? 0;
  }

  /**
   * Forgets the stored idempotent answers that belong to a data subject (their own requests,
   * or any request on a stream that names them): the answers are kept in clear, outside the
   * crypto-shredding of the log, so an erasure deletes them (in its transaction, via `db`).
   */
  async forgetIdempotentAnswersOf(subjectId: string, db: Queryable = this.pool): Promise<number> {
    const res = await db.query(
      `DELETE FROM idempotency_keys
        WHERE owner_id = $1
           OR stream_id IN (SELECT stream_id FROM data_subject_streams WHERE subject_id = $1)`,
      [subjectId],
    );
    return res.rowCount ?? 0;
  }

  /**
   * Creates, outside any transaction, the data subjects' keys that appending these events will
   * need: bulk writers call it before their transaction, so concurrent batches sharing subjects
   * (an import's recurring authors) do not wait on each other's uncommitted key rows. Optional:
   * the append creates missing keys itself.
   */
  async prepareSubjectKeys(events: NewEvent[]): Promise<void> {
    if (!this.registry.declaresPersonalData) return;
    const subjects = new Set<string>();
    for (const e of events) {
      const decl = this.registry.personalDataOf(e.type);
      if (decl) subjects.add(subjectOf(e.type, e.data, decl));
    }
    await this.personalData.ensureKeys([...subjects], this.pool);
  }

  /** Call after committing a transaction that appended through `options.client`. */
  notifyAppended(): void {
    this.wakeUp?.notify(EVENTS_APPENDED_CHANNEL);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}, db: Queryable = this.pool): Promise<ReadStreamResult> {
    const head = await db.query<{ version: string; created_at: Date }>(
      'SELECT version, created_at FROM event_streams WHERE stream_id = $1',
      [streamId],
    );
    if (head.rows.length === 0) return { streamExists: false, currentVersion: 0, events: [] };
    const currentVersion = Number(head.rows[0].version);
    const backward = options.direction === 'backward';
    const from = options.fromVersion ?? (backward ? currentVersion : 1);
    const limit = options.maxCount ?? 2_147_483_647;
    // created_at bounds recorded_at from below, which lets PostgreSQL skip older partitions.
    const res = await db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE stream_id = $1 AND recorded_at >= $2
          AND stream_version ${backward ? '<=' : '>='} $3
        ORDER BY stream_version ${backward ? 'DESC' : 'ASC'}
        LIMIT $4`,
      [streamId, head.rows[0].created_at, from, limit],
    );
    return { streamExists: true, currentVersion, events: await this.toRecorded(res.rows, db) };
  }

  /**
   * Reads the global log after a checkpoint without ever skipping an event: only events of
   * transactions older than every transaction still running are returned (pg_snapshot_xmin),
   * so a transaction that took its position earlier but commits later is never jumped over.
   */
  async readAll(options: ReadAllOptions = {}, db: Queryable = this.pool): Promise<ReadAllResult> {
    const after = options.after ?? START_OF_LOG;
    const limit = options.limit ?? 500;
    const filters: string[] = [];
    const values: unknown[] = [after.transactionId, after.globalPosition, limit];
    if (options.eventTypes?.length) {
      values.push(options.eventTypes);
      filters.push(`AND event_type = ANY($${values.length}::text[])`);
    }
    if (options.workspaceId) {
      values.push(options.workspaceId);
      filters.push(`AND workspace_id = $${values.length}`);
    }
    // The horizon and the page come from ONE statement (one snapshot): a horizon read later
    // could move past transactions that committed in between and skip their events.
    const res = await db.query<EventRow & { horizon: string }>(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       SELECT h.xmin::text AS horizon, e.*
         FROM h LEFT JOIN LATERAL (
           SELECT ${EVENT_COLUMNS}
             FROM events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND transaction_id < h.xmin
              ${filters.join(' ')}
            ORDER BY events.transaction_id, events.global_position
            LIMIT $3
         ) e ON true`,
      values,
    );
    const rows = res.rows.filter((r) => r.global_position !== null);
    const events = await this.toRecorded(rows, db);
    let checkpoint: Checkpoint = after;
    if (events.length > 0) {
      const last = events[events.length - 1];
      checkpoint = { transactionId: last.transactionId, globalPosition: last.globalPosition };
    }
    if (events.length < limit) {
      // Everything below the horizon has been seen: jump to it so filtered-out events are not rescanned.
      const horizon = BigInt(res.rows[0].horizon);
      if (horizon > BigInt(checkpoint.transactionId) + 1n) {
        checkpoint = { transactionId: (horizon - 1n).toString(), globalPosition: Number.MAX_SAFE_INTEGER };
      }
    }
    return { events, checkpoint };
  }

  /** Specific events (e.g. parked ones being replayed), in log order. */
  async readEventsByIds(eventIds: string[], db: Queryable = this.pool): Promise<RecordedEvent[]> {
    if (eventIds.length === 0) return [];
    const res = await db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY events.transaction_id, events.global_position`,
      [eventIds],
    );
    return this.toRecorded(res.rows, db);
  }

  /** The position of the newest event: lag = what lies between a checkpoint and this. */
  async headPosition(db: Queryable = this.pool): Promise<number> {
    const res = await db.query<{ pos: string | null }>('SELECT max(global_position) AS pos FROM events');
    return Number(res.rows[0].pos ?? 0);
  }

  /**
   * Rows to events: personal values revealed first (one key lookup for the page, on the same
   * connection as the read), then upcast, so upcasters only ever see clear (or ERASED) values.
   */
  private async toRecorded(rows: EventRow[], db: Queryable): Promise<RecordedEvent[]> {
    const revealed = await this.personalData.reveal(
      rows.map((r) => r.payload),
      db,
    );
    return rows.map((r, i) => {
      const up = this.registry.upcast(r.event_type, r.schema_version, revealed[i].data);
      return recordedEventOf(r, up.data, up.schemaVersion, revealed[i].erasedFields);
    });
  }
}
