import { Queryable } from '@libs/event-store/event-store.types';

/**
 * Snapshots of long streams. A snapshot is a cache: it is keyed by a snapshot type that must
 * change when the state's shape changes, and the stream alone always rebuilds the truth.
 */
export class SnapshotStore {
  constructor(private readonly db: Queryable) {}

  async load<S>(streamId: string, type: string): Promise<{ state: S; version: number } | null> {
    const res = await this.db.query<{ state: S; stream_version: string }>(
      'SELECT state, stream_version FROM stream_snapshots WHERE stream_id = $1 AND snapshot_type = $2',
      [streamId, type],
    );
    return res.rows[0] ? { state: res.rows[0].state, version: Number(res.rows[0].stream_version) } : null;
  }

  async save(streamId: string, type: string, version: number, state: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO stream_snapshots (stream_id, stream_version, snapshot_type, state)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (stream_id) DO UPDATE
         SET stream_version = EXCLUDED.stream_version, snapshot_type = EXCLUDED.snapshot_type,
             state = EXCLUDED.state, created_at = now()
       WHERE stream_snapshots.stream_version < EXCLUDED.stream_version
          OR stream_snapshots.snapshot_type <> EXCLUDED.snapshot_type`,
      [streamId, version, type, JSON.stringify(state)],
    );
  }
}
