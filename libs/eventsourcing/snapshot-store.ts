import { Queryable } from '@libs/event-store/event-store.types';

/**
 * Snapshots of long streams. A snapshot is a cache: it is keyed by a snapshot type that must
 * change when the state's shape changes, and the stream alone always rebuilds the truth.
 *
 * A snapshot holds revealed state, so it may hold personal data in clear. Erasing a data
 * subject (DataSubjects.erase) deletes the snapshots of every stream that named them, and
 * `save` refuses such a stream from then on: a handler that loaded the state just before the
 * erasure cannot put the clear values back. Those streams simply load from the log (where the
 * values read '[erased]').
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
       SELECT $1::text, $2::bigint, $3::text, $4::jsonb
        WHERE NOT EXISTS (
          SELECT 1 FROM data_subject_streams l JOIN data_subject_keys k ON k.subject_id = l.subject_id
           WHERE l.stream_id = $1::text AND k.erased_at IS NOT NULL)
       ON CONFLICT (stream_id) DO UPDATE
         SET stream_version = EXCLUDED.stream_version, snapshot_type = EXCLUDED.snapshot_type,
             state = EXCLUDED.state, created_at = now()
       WHERE stream_snapshots.stream_version < EXCLUDED.stream_version
          OR stream_snapshots.snapshot_type <> EXCLUDED.snapshot_type`,
      [streamId, version, type, JSON.stringify(state)],
    );
  }
}
