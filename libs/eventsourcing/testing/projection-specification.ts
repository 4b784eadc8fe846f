import type { Pool } from 'pg';
import { RecordedEvent } from '@libs/event-store/event-store.types';
import { DomainEvent } from '@libs/eventsourcing/decider';
import { applyRowProjection, ProjectionRow, RowProjection } from '@libs/eventsourcing/projections/row-projection';

/**
 * A domain event as a test writes it. Envelope fields the projection reads (stream, version,
 * workspace, actor, time, erased fields) may be set; the others are numbered for it.
 */
export type GivenEvent<E extends DomainEvent = DomainEvent> = E & Partial<Omit<RecordedEvent, 'type' | 'data'>>;

export interface ProjectionSpecificationOptions {
  /** Compared columns of the projection's table (SQL expressions with an alias allowed: `version::int AS version`). Default: all. */
  columns?: string[];
  /** Default: the projection's key column. */
  orderBy?: string;
  /** Envelope defaults for events that do not set their own. */
  streamId?: string;
  workspaceId?: string | null;
  actorId?: string | null;
  recordedAt?: Date;
}

const DEFAULT_RECORDED_AT = new Date('2026-01-01T00:00:00.000Z');

/** Numbers events as the store would: one global position each, versions counted per stream. */
class EventLog {
  private position = 0;
  private readonly versions = new Map<string, number>();
  // The same object listed twice is one recorded event delivered twice (same id, version, position).
  private readonly recorded = new Map<object, RecordedEvent>();

  constructor(private readonly defaults: ProjectionSpecificationOptions) {}

  record(event: GivenEvent): RecordedEvent {
    const known = this.recorded.get(event);
    if (known) return known;
    const position = ++this.position;
    const streamId = event.streamId ?? this.defaults.streamId ?? 'test-stream';
    const streamVersion = event.streamVersion ?? (this.versions.get(streamId) ?? 0) + 1;
    this.versions.set(streamId, Math.max(streamVersion, this.versions.get(streamId) ?? 0));
    const recorded: RecordedEvent = {
      globalPosition: position,
      transactionId: String(position),
      eventId: `00000000-0000-4000-8000-${position.toString(16).padStart(12, '0')}`,
      streamType: 'test',
      schemaVersion: 1,
      workspaceId: this.defaults.workspaceId ?? null,
      actorId: this.defaults.actorId ?? null,
      correlationId: null,
      causationId: null,
      metadata: {},
      recordedAt: this.defaults.recordedAt ?? DEFAULT_RECORDED_AT,
      ...event,
      streamId,
      streamVersion,
    };
    this.recorded.set(event, recorded);
    return recorded;
  }
}

// Timestamps read back as Dates; expectations are written as the ISO strings events carry.
const comparable = (row: ProjectionRow): ProjectionRow =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));

/**
 * given(events).when(events).then(rows) for row projections, on a real database: each scenario
 * runs in a transaction that is rolled back, so the tests of a file share one migrated database.
 * `then` runs the scenario twice, as a consumer batch (given, then when) and one event per batch
 * (each row read back from the table): a rebuild and incremental processing must agree.
 *
 *   spec.given([registered]).when([renamed]).then([{ id: 'u1', first_name: 'Ann' }]);
 *   spec.given([registered]).when([registered]).then([...]); // the same object again: a redelivery
 *   spec.given([registered]).when([deleted]).then([]);
 */
export function ProjectionSpecification<E extends DomainEvent = DomainEvent>(
  projection: RowProjection<any>,
  database: () => Pick<Pool, 'connect'>,
  options: ProjectionSpecificationOptions = {},
) {
  const columns = options.columns?.join(', ') ?? '*';
  const orderBy = options.orderBy ?? projection.keyColumn;

  async function rowsAfter(batches: RecordedEvent[][]): Promise<ProjectionRow[]> {
    const keys = [...new Set(batches.flat().filter((e) => projection.handlerFor(e.type)).map((e) => projection.keyOf(e)))].filter((k) => k !== null);
    const client = await database().connect();
    try {
      await client.query('BEGIN');
      for (const batch of batches) await applyRowProjection(projection, batch, client);
      // Only the rows these events are about: rows a migration seeded are not the projection's doing.
      const res = await client.query(`SELECT ${columns} FROM "${projection.table}" WHERE "${projection.keyColumn}" = ANY($1) ORDER BY ${orderBy}`, [keys]);
      return res.rows.map(comparable);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  return {
    given(history: GivenEvent<E>[]) {
      return {
        when(events: GivenEvent<E>[]) {
          const log = new EventLog(options);
          const given = history.map((e) => log.record(e));
          const delivered = events.map((e) => log.record(e));
          return {
            async then(expected: ProjectionRow[]): Promise<void> {
              const batched = await rowsAfter([given, delivered].filter((b) => b.length > 0));
              expect({ delivery: 'given, then when, as two batches', rows: batched }).toEqual({ delivery: 'given, then when, as two batches', rows: expected });
              const oneByOne = await rowsAfter([...given, ...delivered].map((e) => [e]));
              expect({ delivery: 'one event per batch', rows: oneByOne }).toEqual({ delivery: 'one event per batch', rows: expected });
            },
          };
        },
      };
    },
  };
}
