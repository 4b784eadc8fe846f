import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';

/** A row of a `*_versions_view`: one version of a versioned aggregate, `IdColumn` naming the aggregate (`topic_id`). */
export type VersionRow<IdColumn extends string, Snapshot> = Record<string, unknown> & { [K in IdColumn]: string } & {
  /** `<aggregateId>:<version>`. */
  id: string;
  workspace_id: string;
  version: number;
  data: Snapshot;
  changed: string[];
  created_by: string | null;
  approved: boolean;
  approved_by: string | null;
  created_at: string;
  approved_at: string | null;
};

export const versionRowId = (aggregateId: string, version: number) => `${aggregateId}:${version}`;

interface VersionEventData {
  version: number;
  at: string;
}

/** What tells one versioned aggregate (topic, atom) from another; the rest is the same. */
export interface VersionedAggregate<IdField extends string, IdColumn extends string, Snapshot, Data extends VersionEventData & { [K in IdField]: string }> {
  idField: IdField;
  idColumn: IdColumn;
  created: string;
  updated: string;
  approved: string;
  /** The aggregate's content as a created or updated event carries it. */
  snapshot: (data: Data) => Snapshot;
}

/**
 * One row per created/updated event of an aggregate, its snapshot as the event carries it; the
 * approval event marks its version. A redelivered event leaves its version as it is.
 */
export abstract class VersionsProjection<
  IdField extends string,
  IdColumn extends string,
  Snapshot,
  Data extends VersionEventData & { [K in IdField]: string },
> extends RowProjection<VersionRow<IdColumn, Snapshot>> {
  override readonly mode = 'inline' as const;
  readonly handlers: Record<string, RowHandler<VersionRow<IdColumn, Snapshot>>>;

  constructor(private readonly aggregate: VersionedAggregate<IdField, IdColumn, Snapshot, Data>) {
    super();
    this.handlers = {
      [aggregate.created]: (r, e) => r ?? this.version(e, e.data as Data, []),
      [aggregate.updated]: (r, e) => {
        const d = e.data as Data & { changed: string[] };
        return r ?? this.version(e, d, d.changed);
      },
      [aggregate.approved]: (r, e) => (r ? { ...r, approved: true, approved_by: e.actorId, approved_at: (e.data as VersionEventData).at } : null),
    };
  }

  override keyOf(e: RecordedEvent): string {
    const d = e.data as Data;
    return versionRowId(d[this.aggregate.idField], d.version);
  }

  private version(e: RecordedEvent, d: Data, changed: string[]): VersionRow<IdColumn, Snapshot> {
    const aggregateId = d[this.aggregate.idField];
    // The cast: TypeScript cannot see that a computed `[idColumn]` key fills `{ [K in IdColumn]: string }`.
    return {
      id: versionRowId(aggregateId, d.version),
      [this.aggregate.idColumn]: aggregateId,
      workspace_id: e.workspaceId!,
      version: d.version,
      data: this.aggregate.snapshot(d),
      changed,
      created_by: e.actorId,
      approved: false,
      approved_by: null,
      created_at: d.at,
      approved_at: null,
    } as VersionRow<IdColumn, Snapshot>;
  }
}
