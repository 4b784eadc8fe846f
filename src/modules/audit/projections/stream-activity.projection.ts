import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';

export interface StreamActivityRow extends Record<string, unknown> {
  stream_id: string;
  stream_type: string;
  workspace_id: string | null;
  version: number | string;
  first_recorded_at: string | Date;
  last_recorded_at: string | Date;
  last_event_type: string;
  actor_ids: string[];
}

const MAX_ACTORS = 50;

/**
 * audit_stream_activity_view: one row per aggregate (type, workspace, version, first/last
 * activity, who touched it), so reviewers can list what exists before opening a history.
 * It follows every event type.
 */
export class StreamActivityProjection extends RowProjection<StreamActivityRow> {
  readonly name = 'audit.stream-activity';
  readonly table = 'audit_stream_activity_view';
  override readonly keyColumn = 'stream_id';
  readonly handlers: Record<string, RowHandler<StreamActivityRow>> = { '*': (row, e) => this.apply(row, e) };

  private apply(row: StreamActivityRow | null, e: RecordedEvent): StreamActivityRow {
    const actors = new Set(row?.actor_ids ?? []);
    if (e.actorId && actors.size < MAX_ACTORS) actors.add(e.actorId);
    return {
      stream_id: e.streamId,
      stream_type: e.streamType,
      workspace_id: e.workspaceId,
      version: Math.max(Number(row?.version ?? 0), e.streamVersion),
      first_recorded_at: row?.first_recorded_at ?? e.recordedAt,
      last_recorded_at: e.recordedAt,
      last_event_type: e.type,
      actor_ids: [...actors],
    };
  }
}
