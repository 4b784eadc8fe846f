import { Inject, Injectable, Optional } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { AuditViewer, visibleEventsPredicate, withholdSecrets } from '@libs/event-store/audit-visibility';
import { EVENT_COLUMNS, EventRow, recordedEventOf } from '@libs/event-store/event-rows';
import { EventTypeRegistry, UnknownEventVersionError } from '@libs/event-store/event-type-registry';
import { PersonalDataCipher } from '@libs/event-store/personal-data-cipher';

/**
 * Every SQL statement the audit module runs, in one place (STYLE.md: read queries easy to find).
 * The audit module is the one reader of the event log itself rather than of read models: it is
 * the log's own history that the admin (every workspace) and a workspace's admins (its own
 * events, through a forced workspace filter) ask for.
 *
 * Every read names its viewer and applies the event types' declared visibility
 * (audit-visibility.ts) in the statement itself: events private to another user are never
 * selected (so pages, cursors and counts stay exact), and credential fields are withheld on the
 * way out, whoever asks.
 */

/**
 * One event as the audit API shows it: personal values revealed (or '[erased]' once their data
 * subject was erased, named in erasedFields), then raised to its type's current schema version.
 */
export interface AuditEventView {
  globalPosition: number;
  transactionId: string;
  eventId: string;
  streamId: string;
  streamVersion: number;
  streamType: string;
  eventType: string;
  schemaVersion: number;
  workspaceId: string | null;
  actorId: string | null;
  correlationId: string | null;
  causationId: string | null;
  recordedAt: Date;
  payload: unknown;
  metadata: Record<string, unknown>;
  /** Personal fields (stored paths) whose data subject was erased; absent when none. */
  erasedFields?: string[];
}

/** Filters of the event log. `from` is inclusive, `to` exclusive. */
export interface EventCriteria {
  streamId?: string;
  streamType?: string;
  eventType?: string;
  actorId?: string;
  correlationId?: string;
  workspaceId?: string;
  from?: Date;
  to?: Date;
}

export interface EventPageOptions {
  /** Keyset: only events strictly after this (transaction_id, global_position). */
  after?: Checkpoint;
  limit: number;
  /** Caps the horizon (an xid8 as text): an export stops at the log as it was when it started. */
  upTo?: string;
}

export interface EventPage {
  items: AuditEventView[];
  /** More events lie below the horizon after the last item. */
  hasMore: boolean;
  /** pg_snapshot_xmin of the statement: every event of a lower transaction id is committed and visible. */
  horizon: string;
}

export interface StreamHistory {
  streamId: string;
  streamType: string;
  workspaceId: string | null;
  currentVersion: number;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
  events: AuditEventView[];
}

const EQUALITY_FILTERS = [
  ['streamId', 'stream_id'],
  ['streamType', 'stream_type'],
  ['eventType', 'event_type'],
  ['actorId', 'actor_id'],
  ['correlationId', 'correlation_id'],
  ['workspaceId', 'workspace_id'],
] as const satisfies readonly (readonly [keyof EventCriteria, string])[];

/** Binds a value as the next positional parameter of `values` and returns its placeholder. */
function binder(values: unknown[]): (value: unknown, cast: string) => string {
  return (value, cast) => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
}

/**
 * A page of the log in (transaction_id, global_position) order, below the gap-safe horizon.
 *
 * - The horizon and the page come from ONE statement (one snapshot), as in the event store's
 *   readAll: a horizon read by a later statement could pass a transaction that committed in
 *   between, and a cursor taken after it would skip that transaction's events forever.
 * - Only the filters given become predicates, each a plain comparison of a column with a bound
 *   parameter: `recorded_at >= $from AND recorded_at < $to` lets PostgreSQL prune partitions at
 *   plan time, and no `($n IS NULL OR ...)` hides an index from the planner.
 * - One row more than the limit says whether another page exists without a second query.
 */
export function eventPageStatement(
  criteria: EventCriteria,
  options: EventPageOptions,
  privateTypes: ReadonlyMap<string, readonly string[]> = new Map(),
  viewer: AuditViewer = { userId: null },
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = binder(values);
  const where = ['transaction_id < h.xmin'];
  if (options.upTo !== undefined) where.push(`transaction_id < ${param(options.upTo, 'xid8')}`);
  if (options.after) {
    where.push(
      `(transaction_id, global_position) > (${param(options.after.transactionId, 'xid8')}, ${param(options.after.globalPosition, 'bigint')})`,
    );
  }
  for (const [field, column] of EQUALITY_FILTERS) {
    const value = criteria[field];
    if (value !== undefined) where.push(`${column} = ${param(value, column === 'workspace_id' ? 'uuid' : 'text')}`);
  }
  if (criteria.from) where.push(`recorded_at >= ${param(criteria.from, 'timestamptz')}`);
  if (criteria.to) where.push(`recorded_at < ${param(criteria.to, 'timestamptz')}`);
  const visible = visibleEventsPredicate(privateTypes, viewer, param);
  if (visible) where.push(visible);
  const limit = param(options.limit + 1, 'integer');
  const text = `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
SELECT h.xmin::text AS horizon, e.*
  FROM h LEFT JOIN LATERAL (
    SELECT ${EVENT_COLUMNS}
      FROM events
     WHERE ${where.join('\n       AND ')}
     ORDER BY events.transaction_id, events.global_position
     LIMIT ${limit}
  ) e ON true`;
  return { text, values };
}

/**
 * A stream's head and its events up to a version, in ONE statement so that both come from the
 * same snapshot. `recorded_at >= created_at` lets PostgreSQL skip the partitions older than the
 * stream (created_at is the earliest recorded_at of the stream, as es_append keeps it).
 *
 * `$3` scopes the answer to one workspace (null: every workspace). A stream of another
 * workspace then has no row at all, exactly like an unknown stream. Events are checked too:
 * es_append does not stop a later append from naming another workspace than the stream's
 * first one, and such an event must not show through its stream. `$3 IS NULL OR` costs
 * nothing here: rows are found by key (stream_id), the workspace is a residual filter.
 */
const streamHistorySql = (visible: string) => `SELECT s.stream_id AS head_stream_id, s.stream_type AS head_stream_type,
       s.workspace_id AS head_workspace_id, s.version AS head_version, s.archived AS head_archived,
       s.created_at AS head_created_at, s.updated_at AS head_updated_at, e.*
  FROM event_streams s
  LEFT JOIN LATERAL (
    SELECT ${EVENT_COLUMNS}, ${visible} AS visible
      FROM events
     WHERE stream_id = s.stream_id
       AND recorded_at >= s.created_at
       AND stream_version <= coalesce($2::bigint, s.version)
       AND ($3::uuid IS NULL OR workspace_id = $3::uuid)
  ) e ON true
 WHERE s.stream_id = $1
   AND ($3::uuid IS NULL OR s.workspace_id = $3::uuid)
 ORDER BY e.stream_version`;

/**
 * Everything one request (correlation id) caused, in log order; `$3` keeps only one workspace's
 * events (null: every workspace). Found through events_correlation_idx, the workspace is a
 * residual filter.
 */
const correlationSql = (visible: string) => `SELECT ${EVENT_COLUMNS}
  FROM events
 WHERE correlation_id = $1
   AND ($3::uuid IS NULL OR workspace_id = $3::uuid)
   AND ${visible}
 ORDER BY events.transaction_id, events.global_position
 LIMIT $2`;

interface StreamHistoryRow extends EventRow {
  visible: boolean | null;
  head_stream_id: string;
  head_stream_type: string;
  head_workspace_id: string | null;
  head_version: string;
  head_archived: boolean;
  head_created_at: Date;
  head_updated_at: Date;
}

/**
 * Read access to the event log for the audit API. Every method is one autocommit statement,
 * plus one lookup of data-subject keys when the rows hold personal data (crypto-shredding:
 * never cached, so an erasure shows at once).
 */
@Injectable()
export class AuditEventsQueries {
  private readonly personalData: PersonalDataCipher;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly registry: EventTypeRegistry,
    // Optional for stand-alone use (benchmarks); without a SecretBox personal values do not reveal.
    @Optional() personalData?: PersonalDataCipher,
  ) {
    this.personalData = personalData ?? new PersonalDataCipher();
  }

  async page(criteria: EventCriteria, options: EventPageOptions, viewer: AuditViewer): Promise<EventPage> {
    const res = await this.pool.query<EventRow & { horizon: string }>(eventPageStatement(criteria, options, this.registry.privateTypesByOwnerPath(), viewer));
    const rows = res.rows.filter((r) => r.global_position !== null);
    return {
      items: await this.toViews(rows.slice(0, options.limit)),
      hasMore: rows.length > options.limit,
      horizon: res.rows[0].horizon,
    };
  }

  /**
   * Null when there is no such stream (in `workspaceId`, when given), and for a stream that
   * belongs to another user: it is answered exactly like a stream that does not exist.
   */
  async streamHistory(streamId: string, viewer: AuditViewer, atVersion?: number, workspaceId?: string): Promise<StreamHistory | null> {
    const values: unknown[] = [streamId, atVersion ?? null, workspaceId ?? null];
    const visible = this.visibleSql(values, viewer);
    const res = await this.pool.query<StreamHistoryRow>(streamHistorySql(visible), values);
    if (res.rows.length === 0 || res.rows.some((r) => r.visible === false)) return null;
    const head = res.rows[0];
    return {
      streamId: head.head_stream_id,
      streamType: head.head_stream_type,
      workspaceId: head.head_workspace_id,
      currentVersion: Number(head.head_version),
      archived: head.head_archived,
      createdAt: head.head_created_at,
      updatedAt: head.head_updated_at,
      events: await this.toViews(res.rows.filter((r) => r.global_position !== null)),
    };
  }

  async byCorrelation(correlationId: string, limit: number, viewer: AuditViewer, workspaceId?: string): Promise<AuditEventView[]> {
    const values: unknown[] = [correlationId, limit, workspaceId ?? null];
    const visible = this.visibleSql(values, viewer);
    const res = await this.pool.query<EventRow>(correlationSql(visible), values);
    return this.toViews(res.rows);
  }

  /** The visibility predicate with its parameters appended to `values` ('true' when no type is private). */
  private visibleSql(values: unknown[], viewer: AuditViewer): string {
    return visibleEventsPredicate(this.registry.privateTypesByOwnerPath(), viewer, binder(values), 'events') ?? 'true';
  }

  /** Personal values revealed for the whole page with one key lookup, then each row mapped. */
  private async toViews(rows: EventRow[]): Promise<AuditEventView[]> {
    const revealed = await this.personalData.reveal(
      rows.map((r) => r.payload),
      this.pool,
    );
    return rows.map((r, i) => {
      const { schemaVersion, data } = this.upcast(r.event_type, r.schema_version, revealed[i].data);
      return toView(recordedEventOf(r, withholdSecrets(data, this.registry.secretFieldsOf(r.event_type)), schemaVersion, revealed[i].erasedFields));
    });
  }

  /**
   * Upcast like the store does, with one difference: an event written by a newer deployment
   * (during a rolling deploy) is shown as stored, with its stored version, instead of failing
   * the whole audit read. Handlers must refuse such events; an auditor must still see them.
   */
  private upcast(type: string, version: number, payload: unknown): { schemaVersion: number; data: unknown } {
    try {
      return this.registry.upcast(type, version, payload);
    } catch (err) {
      if (err instanceof UnknownEventVersionError) return { schemaVersion: version, data: payload };
      throw err;
    }
  }
}

/** An event under the audit API's field names. */
function toView(e: RecordedEvent): AuditEventView {
  const view: AuditEventView = {
    globalPosition: e.globalPosition,
    transactionId: e.transactionId,
    eventId: e.eventId,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    streamType: e.streamType,
    eventType: e.type,
    schemaVersion: e.schemaVersion,
    workspaceId: e.workspaceId,
    actorId: e.actorId,
    correlationId: e.correlationId,
    causationId: e.causationId,
    recordedAt: e.recordedAt,
    payload: e.data,
    metadata: e.metadata,
  };
  if (e.erasedFields) view.erasedFields = e.erasedFields;
  return view;
}
